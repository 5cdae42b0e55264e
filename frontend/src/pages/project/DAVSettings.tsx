import { FormEvent, useEffect, useState } from 'react'
import { call } from '../../api/client'
import { ProjectSummary } from '../../api/types'
import { ErrorBox, fieldError } from '../../components/ErrorBox'

/** Where the project's contacts, calendars and tasks live (store.PIMSetting). */
interface PIMSetting {
  sourceUrl: string
  destUrl: string
  /** dav, graph or google: as it applies (the project's provider's when no URL is set). */
  sourceKind?: string
  destKind?: string
}

/** The CalDAV/CardDAV server of each side (api.PIMSettingSet): a URL, or a domain found by DNS SRV and /.well-known. */
export function DAVSettings({ project }: { project: ProjectSummary }) {
  const [v, setV] = useState<PIMSetting>({ sourceUrl: '', destUrl: '' })
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    call<PIMSetting>('PIMSetting', project.name).then(setV, setError)
  }, [project.name])

  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      await call('PIMSettingSet', project.name, v)
      setSaved(true)
    } catch (err) {
      setError(err)
    }
  }

  const fe = (f: string) => fieldError(error, f)
  return (
    <div className="card" data-testid="dav-settings">
      <h2>Contacts, calendars and tasks</h2>
      <p className="muted">CalDAV/CardDAV server of each side (cPanel: https://host:2080/), where each mailbox signs in with its own login and password from the batch; or Microsoft 365 and Google through their APIs with the side's sign-in. Without a source: nothing of them is copied (files can still be dropped on the Mailboxes page).</p>
      <form className="form-grid" onSubmit={save}>
        <label className={`field${fe('source contacts and calendars') ? ' has-error' : ''}`}>
          <span className="label">Source read through</span>
          <select value={v.sourceKind || 'dav'} onChange={(e) => setV({ ...v, sourceKind: e.target.value, sourceUrl: '' })} aria-label="Source kind">
            <option value="dav">CalDAV/CardDAV (each mailbox's password)</option>
            <option value="graph">Microsoft Graph (the source's Microsoft app-only sign-in)</option>
            <option value="google">Google People, Calendar and Tasks (the source's Google sign-in)</option>
          </select>
          {fe('source contacts and calendars') && <span className="field-error">{fe('source contacts and calendars')}</span>}
        </label>
        {(v.sourceKind || 'dav') === 'dav' && (
          <label className={`field${fe('source DAV URL') ? ' has-error' : ''}`}>
            <span className="label">Source DAV URL or domain</span>
            <input value={v.sourceUrl} onChange={(e) => setV({ ...v, sourceUrl: e.target.value })} placeholder="https://old-host.example:2080/" aria-label="Source DAV URL" />
            {fe('source DAV URL') && <span className="field-error">{fe('source DAV URL')}</span>}
          </label>
        )}
        <label className={`field${fe('destination contacts and calendars') ? ' has-error' : ''}`}>
          <span className="label">Destination written through</span>
          <select value={v.destKind || 'dav'} onChange={(e) => setV({ ...v, destKind: e.target.value, destUrl: '' })} aria-label="Destination kind">
            <option value="dav">CalDAV/CardDAV (each mailbox's password)</option>
            <option value="graph">Microsoft Graph (the destination's Microsoft sign-in)</option>
            <option value="google">Google Calendar and Tasks (the destination's Google sign-in)</option>
          </select>
          {fe('destination contacts and calendars') && <span className="field-error">{fe('destination contacts and calendars')}</span>}
        </label>
        {(v.destKind || 'dav') === 'dav' ? (
          <label className={`field${fe('destination DAV URL') ? ' has-error' : ''}`}>
            <span className="label">Destination DAV URL or domain</span>
            <input value={v.destUrl} onChange={(e) => setV({ ...v, destUrl: e.target.value })} placeholder="https://dav.new-host.example/" aria-label="Destination DAV URL" />
            {fe('destination DAV URL') && <span className="field-error">{fe('destination DAV URL')}</span>}
          </label>
        ) : (
          <p className="muted">Microsoft 365: app-only sign-in with the Contacts.ReadWrite, Calendars.ReadWrite and Tasks.ReadWrite.All application permissions (Contacts.Read, Calendars.Read and Tasks.Read.All at a source), with admin consent. Google: a service account whose delegation lists the calendar, contacts and tasks scopes, or per-user sign-ins made after this is saved.</p>
        )}
        <div className="form-actions">
          <span className="muted">{saved ? 'Saved.' : ''}</span>
          <button type="submit">Save DAV servers</button>
        </div>
      </form>
      <ErrorBox error={error} />
    </div>
  )
}
