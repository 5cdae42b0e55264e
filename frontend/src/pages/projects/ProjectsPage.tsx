import { useEffect, useState } from 'react'
import { phaseTitles } from '../../api/types'
import { fmtDate } from '../../api/format'
import { DataTable } from '../../components/DataTable'
import { ErrorBox } from '../../components/ErrorBox'
import { ProjectForm } from '../project/ProjectForm'
import { go } from '../../router'
import { useProjects } from '../../stores/projects'

/** The list of customer projects and the form to create one. */
export function ProjectsPage() {
  const { projects, error } = useProjects()
  const [creating, setCreating] = useState(false)
  const none = projects?.length === 0
  useEffect(() => {
    if (none) setCreating(true)
  }, [none])

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
