import { useEffect, useState } from 'react'
import { ProjectsPage } from './pages/projects/ProjectsPage'
import { ProjectPage } from './pages/project/ProjectPage'
import { Route, parseRoute } from './router'
import { Notices } from './components/Notices'

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash))
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', on)
    // The hash may have changed between the first render and now (a link opened, or a
    // test's navigation, before this effect listened): read it again.
    on()
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
        <span className="keys muted" title="Keyboard: 1–7 switch tabs, / filters a table, Alt+N new project">
          1–7 tabs · / filter
        </span>
        {route.project && (
          <>
            <span className="crumb">/</span>
            <a href={`#/p/${encodeURIComponent(route.project)}/timeline`}>{route.project}</a>
          </>
        )}
        <Notices />
      </header>
      <main>{route.project ? <ProjectPage name={route.project} tab={route.tab ?? 'timeline'} item={route.item} /> : <ProjectsPage />}</main>
    </div>
  )
}
