import { Project } from '../../api/types'

/** Placeholder: the People page (user, group and contact spreadsheets, the migration batch) is being built. */
export function PeoplePage({ project }: { project: Project }) {
  return (
    <div className="card">
      <h2>People</h2>
      <p className="muted">
        Not available yet for {project.name}: user, group and contact spreadsheets, the migration batch.
      </p>
    </div>
  )
}
