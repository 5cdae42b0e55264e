import { useEffect, useState } from 'react'
import { ProjectsPage } from './pages/projects/ProjectsPage'
import { ProjectPage } from './pages/project/ProjectPage'

/** Routes live in the URL's hash (#/p/acme/timeline) so they work in the window and the browser alike. */
export interface Route {
  project?: string
  tab?: string
}

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent)
  if (parts[0] === 'p' && parts[1]) return { project: parts[1], tab: parts[2] || 'timeline' }
  return {}
}

export function go(route: Route) {
  window.location.hash = route.project ? `#/p/${encodeURIComponent(route.project)}/${route.tab ?? 'timeline'}` : '#/'
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parse(window.location.hash))
  useEffect(() => {
    const on = () => setRoute(parse(window.location.hash))
    window.addEventListener('hashchange', on)
    // "/" jumps to the first table filter on the page, as in most tools people use all day.
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement
      if (e.key !== '/' || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) return
      const f = document.querySelector<HTMLInputElement>('input.filter')
      if (f) {
        e.preventDefault()
        f.focus()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('hashchange', on)
      window.removeEventListener('keydown', onKey)
    }
  }, [])
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/">
          Cutover
        </a>
        <span className="keys muted" title="Keyboard: 1–5 switch tabs, / filters a table, Alt+N new project">
          1–5 tabs · / filter
        </span>
        {route.project && (
          <>
            <span className="crumb">/</span>
            <a href={`#/p/${encodeURIComponent(route.project)}/timeline`}>{route.project}</a>
          </>
        )}
      </header>
      <main>{route.project ? <ProjectPage name={route.project} tab={route.tab ?? 'timeline'} /> : <ProjectsPage />}</main>
    </div>
  )
}
