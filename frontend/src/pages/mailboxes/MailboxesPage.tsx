import { Project } from '../../api/types'

/** Placeholder: the Mailboxes page (analysis, folder plans and copy passes) is being built. */
export function MailboxesPage({ project }: { project: Project }) {
  return (
    <div className="card">
      <h2>Mailboxes</h2>
      <p className="muted">
        Not available yet for {project.name}: analysis, folder plans and copy passes.
      </p>
    </div>
  )
}
