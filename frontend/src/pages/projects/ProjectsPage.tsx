import { useEffect, useState } from 'react'
import { call, onEvent } from '../../api/client'
import { ProjectSummary, phaseTitles } from '../../api/types'
import { fmtDate } from '../../api/format'
import { DataTable } from '../../components/DataTable'
import { ErrorBox } from '../../components/ErrorBox'
import { ProjectForm } from '../project/ProjectForm'
import { go } from '../../App'

/** The list of customer projects and the form to create one. */
export function ProjectsPage() {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [creating, setCreating] = useState(false)

  const load = () =>
    call<ProjectSummary[]>('Projects')
      .then((ps) => {
        setProjects(ps ?? [])
        if ((ps ?? []).length === 0) setCreating(true)
      })
      .catch(setError)
  useEffect(() => {
    load()
    const offs = [onEvent('project:changed', load), onEvent('project:deleted', load)]
    return () => offs.forEach((off) => off())
  }, [])

  return (
    <section className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <button className="primary" onClick={() => setCreating((c) => !c)} accessKey="n" title="New project (Alt+N)">
          {creating ? 'Close form' : 'New project'}
        </button>
      </div>
      <ErrorBox error={error} />
      {creating && (
        <div className="card">
          <h2>New project</h2>
          <ProjectForm onSaved={(p) => go({ project: p.name })} />
        </div>
      )}
      {projects && (
        <DataTable
          testId="projects"
          rows={projects}
          rowKey={(p) => p.name}
          empty="No projects yet: create the first one above."
          columns={[
            { key: 'name', title: 'Project', value: (p) => p.name, render: (p) => <a href={`#/p/${encodeURIComponent(p.name)}/timeline`}>{p.name}</a> },
            { key: 'customer', title: 'Customer', value: (p) => p.customer },
            { key: 'provider', title: 'Destination', value: (p) => p.providerLabel },
            { key: 'cutover', title: 'Cutover', value: (p) => p.cutover, render: (p) => fmtDate(p.cutover, p.tz) },
            { key: 'phase', title: 'Phase', value: (p) => phaseTitles[p.phase] },
            {
              key: 'next',
              title: 'Next step',
              value: (p) => p.nextStep?.title ?? '',
              render: (p) => (p.nextStep ? <span className={p.nextStep.overdue ? 'overdue' : ''}>{p.nextStep.title} · {fmtDate(p.nextStep.due, p.tz, false)}</span> : '—'),
            },
            { key: 'progress', title: 'Done', value: (p) => p.done / Math.max(1, p.steps), render: (p) => `${p.done}/${p.steps}`, align: 'right' },
            { key: 'overdue', title: 'Overdue', value: (p) => p.overdue, render: (p) => (p.overdue ? <b className="overdue">{p.overdue}</b> : '0'), align: 'right' },
          ]}
        />
      )}
    </section>
  )
}
