import { useEffect, useState } from 'react'
import { call } from '../../api/client'
import { ProjectSummary, phaseTitles } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox } from '../../components/ErrorBox'
import { TimelinePage } from '../timeline/TimelinePage'
import { PeoplePage } from '../people/PeoplePage'
import { MailboxesPage } from '../mailboxes/MailboxesPage'
import { DnsPage } from '../dns/DnsPage'
import { ProjectForm } from './ProjectForm'
import { go } from '../../router'
import { useProject } from '../../stores/projects'
import { SignInSettings } from './SignInSettings'
import { CustomerPage } from '../customer/CustomerPage'
import { DAVSettings } from './DAVSettings'
import { DayPage } from '../day/DayPage'

const tabs = [
  { key: 'timeline', title: 'Timeline' },
  { key: 'people', title: 'People' },
  { key: 'mailboxes', title: 'Mailboxes' },
  { key: 'dns', title: 'DNS' },
  { key: 'settings', title: 'Settings' },
  { key: 'customer', title: 'Customer' },
  { key: 'day', title: 'Cutover day' },
]

/** One customer project: a header with where it stands, and a tab per capability (keys 1–7). */
export function ProjectPage({ name, tab, item }: { name: string; tab: string; item?: string }) {
  const { project: p, error, reload: load } = useProject(name)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement
      if (e.altKey || e.ctrlKey || e.metaKey || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) return
      const i = Number(e.key) - 1
      if (i >= 0 && i < tabs.length) go({ project: name, tab: tabs[i].key })
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [name])

  if (error) return <ErrorBox error={error} />
  if (!p) return <p className="muted">Loading…</p>
  return (
    <section className="page">
      <div className="project-head">
        <div>
          <h1>{p.customer || p.name}</h1>
          <div className="muted">
            {p.name} · {p.domains.join(', ')} · {p.providerLabel} · cutover <b>{fmtDate(p.cutover, p.tz)}</b> ({p.tz})
          </div>
        </div>
        <div className="head-stats">
          <span className="pill">{phaseTitles[p.phase]}</span>
          <span className="pill">
            {p.done}/{p.steps} steps done
          </span>
          {p.overdue > 0 && <span className="pill overdue-pill">{p.overdue} overdue</span>}
        </div>
      </div>
      <nav className="tabs" role="tablist">
        {tabs.map((t, i) => (
          <a key={t.key} role="tab" aria-selected={tab === t.key} className={tab === t.key ? 'active' : ''} href={`#/p/${encodeURIComponent(name)}/${t.key}`} title={`${t.title} (${i + 1})`}>
            {t.title}
          </a>
        ))}
      </nav>
      {tab === 'timeline' && <TimelinePage project={p} />}
      {tab === 'people' && <PeoplePage project={p} />}
      {tab === 'mailboxes' && <MailboxesPage project={p} />}
      {tab === 'dns' && <DnsPage project={p} />}
      {tab === 'customer' && <CustomerPage project={p} item={item} />}
      {tab === 'day' && <DayPage project={p} />}
      {tab === 'settings' && <Settings project={p} onSaved={(np) => (np.name !== name ? go({ project: np.name, tab: 'settings' }) : load())} />}
    </section>
  )
}

function Settings({ project, onSaved }: { project: ProjectSummary; onSaved: (p: { name: string }) => void }) {
  const [error, setError] = useState<unknown>(null)
  const [confirm, setConfirm] = useState('')
  return (
    <div className="stack">
      <div className="card">
        <h2>Project settings</h2>
        <ProjectForm project={project} onSaved={onSaved} />
      </div>
      <SignInSettings project={project} />
      <DAVSettings project={project} />
      <div className="card danger">
        <h2>Delete project</h2>
        <p>Deletes the project and everything stored for it. Type the project name to confirm.</p>
        <div className="row">
          <input value={confirm} onChange={(e) => setConfirm(e.target.value)} placeholder={project.name} aria-label="Project name to confirm" />
          <button
            className="danger"
            disabled={confirm !== project.name}
            onClick={() => call('DeleteProject', project.name).then(() => go({}), setError)}
          >
            Delete
          </button>
        </div>
        <ErrorBox error={error} />
      </div>
    </div>
  )
}
