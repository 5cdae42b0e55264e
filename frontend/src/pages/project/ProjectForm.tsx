import { FormEvent, ReactNode, useMemo, useState } from 'react'
import { call } from '../../api/client'
import { Project, ProjectInput, serverURL } from '../../api/types'
import { wallTime } from '../../api/format'
import { ErrorBox, fieldError } from '../../components/ErrorBox'

interface Props {
  /** The project to edit; absent to create one. */
  project?: Project
  onSaved: (p: Project) => void
}

const zones: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone')
  } catch {
    return []
  }
})()

function Field({ label, error, children, hint }: { label: string; error?: string; children: ReactNode; hint?: string }) {
  return (
    <label className={`field${error ? ' has-error' : ''}`}>
      <span className="label">{label}</span>
      {children}
      {error ? <span className="field-error">{error}</span> : hint ? <span className="hint">{hint}</span> : null}
    </label>
  )
}

/** Create or edit a project; every bad field is shown next to it. */
export function ProjectForm({ project, onSaved }: Props) {
  const initial = useMemo(
    () => ({
      name: project?.name ?? '',
      customer: project?.customer ?? '',
      domains: project?.domains.join(', ') ?? '',
      provider: project?.provider ?? 'm365',
      source: project ? serverURL(project.source) : '',
      dest: project ? serverURL(project.dest) : '',
      allowPlainSource: project?.source.allowPlain ?? false,
      allowPlainDest: project?.dest.allowPlain ?? false,
      cutover: project ? wallTime(project.cutover, project.tz).replace(' ', 'T') : '',
      tz: project?.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? '',
      holidays: project?.holidays.join(', ') ?? '',
      status: project?.status ?? 'active',
    }),
    [project],
  )
  const [v, setV] = useState(initial)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const set = (k: keyof typeof v) => (e: { target: { value: string; type?: string; checked?: boolean } }) =>
    setV({ ...v, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value })

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    const list = (s: string) => s.split(/[,;\s]+/).filter(Boolean)
    const input: ProjectInput = {
      name: v.name,
      customer: v.customer,
      domains: list(v.domains),
      provider: v.provider,
      source: v.source,
      dest: v.dest,
      allowPlainSource: v.allowPlainSource,
      allowPlainDest: v.allowPlainDest,
      tz: v.tz,
      holidays: list(v.holidays),
    }
    if (!project || v.cutover !== initial.cutover || v.tz !== initial.tz) input.cutover = v.cutover.replace('T', ' ')
    if (project) input.status = v.status
    try {
      const p = project ? await call<Project>('EditProject', project.name, input) : await call<Project>('CreateProject', input)
      onSaved(p)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const fe = (f: string) => fieldError(error, f)
  return (
    <form className="form-grid" onSubmit={submit} noValidate>
      <Field label="Project name" error={fe('name')}>
        <input name="name" value={v.name} onChange={set('name')} placeholder="acme" autoFocus={!project} required />
      </Field>
      <Field label="Customer" error={fe('customer')}>
        <input name="customer" value={v.customer} onChange={set('customer')} placeholder="Acme Plumbing Ltd." />
      </Field>
      <Field label="Mail domains" error={fe('domain')} hint="comma-separated">
        <input name="domains" value={v.domains} onChange={set('domains')} placeholder="acme.example" />
      </Field>
      <Field label="Destination provider" error={fe('provider')}>
        <select name="provider" value={v.provider} onChange={set('provider')}>
          <option value="m365">Microsoft 365</option>
          <option value="google">Google Workspace</option>
          <option value="imap">Other IMAP host</option>
        </select>
      </Field>
      <Field label="Source IMAP server" error={fe('source')} hint="imaps://host:993 · imap://host:143 (STARTTLS)">
        <input name="source" value={v.source} onChange={set('source')} placeholder="imaps://mail.old.example:993" />
      </Field>
      <Field label="Destination IMAP server" error={fe('dest')} hint="imaps://outlook.office365.com:993">
        <input name="dest" value={v.dest} onChange={set('dest')} placeholder="imaps://outlook.office365.com:993" />
      </Field>
      <Field label="Cutover (customer's local time)" error={fe('cutover')}>
        <input name="cutover" type="datetime-local" value={v.cutover} onChange={set('cutover')} />
      </Field>
      <Field label="Time zone" error={fe('tz')}>
        <input name="tz" list="tz-list" value={v.tz} onChange={set('tz')} placeholder="America/Toronto" />
        <datalist id="tz-list">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </Field>
      <Field label="Customer holidays" error={fe('holiday')} hint="YYYY-MM-DD, comma-separated">
        <input name="holidays" value={v.holidays} onChange={set('holidays')} placeholder="2027-05-24" />
      </Field>
      {project && (
        <Field label="Status" error={fe('status')}>
          <select name="status" value={v.status} onChange={set('status')}>
            <option value="active">Active</option>
            <option value="on_hold">On hold</option>
            <option value="closed">Closed</option>
          </select>
        </Field>
      )}
      <div className="checks">
        <label>
          <input type="checkbox" checked={v.allowPlainSource} onChange={set('allowPlainSource')} /> allow plain text to the source
        </label>
        <label>
          <input type="checkbox" checked={v.allowPlainDest} onChange={set('allowPlainDest')} /> allow plain text to the destination
        </label>
      </div>
      <div className="form-actions">
        <ErrorBox error={error} />
        <button className="primary" type="submit" disabled={busy}>
          {project ? 'Save changes' : 'Create project'}
        </button>
      </div>
    </form>
  )
}
