import { Project } from '../../api/types'

/** Placeholder: the DNS page (domain verification, TTLs and propagation) is being built. */
export function DnsPage({ project }: { project: Project }) {
  return (
    <div className="card">
      <h2>DNS</h2>
      <p className="muted">
        Not available yet for {project.name}: domain verification, TTLs and propagation.
      </p>
    </div>
  )
}
