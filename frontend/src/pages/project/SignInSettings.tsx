import { FormEvent, useCallback, useEffect, useState } from 'react'
import { call, openExternal, saveFile, BackendFile } from '../../api/client'
import { signInChanges } from '../../stores/domains'
import { ProjectSummary } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox, fieldError } from '../../components/ErrorBox'
import { SignInTicket, SignInWaiting } from '../../components/SignInWaiting'

/** How a side signs in (api.SignInSettingView). */
export interface SignInSetting {
  side: 'source' | 'dest'
  method: string
  tenant: string
  clientId: string
  idpUrl?: string
  interactive: boolean
  appWide: boolean
  hasClientSecret: boolean
  hasCertificate: boolean
  hasServiceAccountKey: boolean
  serviceAccount?: string
  serviceAccountClientId?: string
}

/** One mailbox's sign-in (api.SignInMailbox). */
export interface SignInMailbox {
  mailbox: string
  state: 'signed-in' | 'expired' | 'not-signed-in' | 'app-wide'
  expiry?: string
  refreshable: boolean
  signedIn?: string
  inBatch: boolean
}

/** A side's sign-in status (api.SignInSideStatus). */
export interface SignInSideStatus {
  side: 'source' | 'dest'
  method: string
  interactive: boolean
  appWide: boolean
  mailboxes: SignInMailbox[]
}

type Ticket = SignInTicket

interface SignInResult {
  handle: string
  mailbox: string
  state: 'waiting' | 'signed-in' | 'failed' | 'cancelled'
  error?: string
}

interface CheckResult {
  mailbox: string
  ok: boolean
  error?: string
  advice?: string
}

export const methodTitles: Record<string, string> = {
  password: 'Password (IMAP login)',
  'microsoft-user': 'Microsoft 365 — each mailbox signs in',
  'microsoft-app': 'Microsoft 365 — app-only, admin-wide',
  'google-user': 'Google Workspace — each mailbox signs in',
  'google-service-account': 'Google Workspace — service account, admin-wide',
}

export const stateTitles: Record<string, string> = {
  'signed-in': 'signed in',
  expired: 'expired — sign in again',
  'not-signed-in': 'not signed in',
  'app-wide': 'app-wide access',
}

const sideTitle = (side: string) => (side === 'dest' ? 'Destination' : 'Source')

/** The sign-in section of the project's Settings: per side, the method, the customer's
 * app registration, the sign-in of each mailbox and, admin-wide, the FullAccess script and check. */
export function SignInSettings({ project }: { project: ProjectSummary }) {
  const [settings, setSettings] = useState<SignInSetting[] | null>(null)
  const [status, setStatus] = useState<SignInSideStatus[]>([])
  const [error, setError] = useState<unknown>(null)
  const load = useCallback(() => {
    call<SignInSetting[]>('SignInSettings', project.name).then(setSettings, setError)
    call<SignInSideStatus[]>('SignInStatus', project.name).then(setStatus, setError)
  }, [project.name])
  const changes = signInChanges.use(project.name)
  useEffect(load, [load, changes])
  if (error && !settings) return <ErrorBox error={error} />
  if (!settings) return null
  return (
    <>
      {settings.map((s) => (
        <SideCard key={s.side} project={project} setting={s} status={status.find((x) => x.side === s.side)} onSaved={load} />
      ))}
    </>
  )
}

function SideCard({ project, setting, status, onSaved }: { project: ProjectSummary; setting: SignInSetting; status?: SignInSideStatus; onSaved: () => void }) {
  const [v, setV] = useState({ method: setting.method, tenant: setting.tenant, clientId: setting.clientId, clientSecret: '', idpUrl: setting.idpUrl ?? '' })
  const [cert, setCert] = useState('')
  const [saKey, setSaKey] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    setV({ method: setting.method, tenant: setting.tenant, clientId: setting.clientId, clientSecret: '', idpUrl: setting.idpUrl ?? '' })
  }, [setting])
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => {
    setSaved(false)
    setV({ ...v, [k]: e.target.value })
  }
  const readText = (to: (s: string) => void) => async (e: { target: HTMLInputElement }) => {
    const f = e.target.files?.[0]
    to(f ? await f.text() : '')
  }
  const ms = v.method.startsWith('microsoft')
  const google = v.method.startsWith('google')

  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('SignInSet', project.name, {
        side: setting.side,
        method: v.method,
        tenant: v.tenant,
        clientId: v.clientId,
        clientSecret: v.clientSecret || undefined,
        certificate: cert || undefined,
        serviceAccountKey: saKey || undefined,
        idpUrl: v.idpUrl,
      })
      setSaved(true)
      onSaved()
    } catch (err) {
      setError(err)
    }
  }

  const fe = (f: string) => fieldError(error, f)
  return (
    <div className="card" data-testid={`signin-${setting.side}`}>
      <h2>{sideTitle(setting.side)} sign-in</h2>
      <form className="form-grid" onSubmit={save}>
        <label className={`field${fe('method') ? ' has-error' : ''}`}>
          <span className="label">Sign-in method</span>
          <select value={v.method} onChange={set('method')} aria-label={`${sideTitle(setting.side)} sign-in method`}>
            {Object.entries(methodTitles).map(([k, t]) => (
              <option key={k} value={k}>
                {t}
              </option>
            ))}
          </select>
        </label>
        {ms && (
          <label className={`field${fe('tenant') ? ' has-error' : ''}`}>
            <span className="label">Tenant</span>
            <input value={v.tenant} onChange={set('tenant')} placeholder="organizations" aria-label="Tenant" />
            <span className="hint">{fe('tenant') ?? '“organizations” or the tenant ID (Entra admin center → Overview)'}</span>
          </label>
        )}
        {v.method !== 'password' && v.method !== 'google-service-account' && (
          <label className={`field${fe('client ID') ? ' has-error' : ''}`}>
            <span className="label">{ms ? 'Application (client) ID' : 'OAuth client ID'}</span>
            <input value={v.clientId} onChange={set('clientId')} aria-label="Client ID" />
            <span className="hint">{fe('client ID') ?? 'the customer’s own app registration: see the README'}</span>
          </label>
        )}
        {(v.method === 'microsoft-app' || v.method === 'google-user') && (
          <label className={`field${fe('client secret') ? ' has-error' : ''}`}>
            <span className="label">Client secret</span>
            <input type="password" value={v.clientSecret} onChange={set('clientSecret')} placeholder={setting.hasClientSecret ? 'stored (type to replace)' : ''} aria-label="Client secret" autoComplete="off" />
            {fe('client secret') && <span className="field-error">{fe('client secret')}</span>}
          </label>
        )}
        {v.method === 'microsoft-app' && (
          <label className={`field${fe('certificate') ? ' has-error' : ''}`}>
            <span className="label">Certificate (instead of a secret)</span>
            <input type="file" accept=".pem,.crt,.key" onChange={readText(setCert)} aria-label="Certificate" />
            <span className="hint">{fe('certificate') ?? (setting.hasCertificate ? 'stored; pick a PEM file to replace it' : 'PEM with the certificate and its private key')}</span>
          </label>
        )}
        {v.method === 'google-service-account' && (
          <label className={`field${fe('service account key') ? ' has-error' : ''}`}>
            <span className="label">Service account key</span>
            <input type="file" accept=".json" onChange={readText(setSaKey)} aria-label="Service account key" />
            <span className="hint">
              {fe('service account key') ??
                (setting.hasServiceAccountKey ? `stored: ${setting.serviceAccount ?? ''}` : 'the JSON key from the Google Cloud console')}
            </span>
          </label>
        )}
        {v.method !== 'password' && (
          <details className="field advanced">
            <summary className="label">Advanced</summary>
            <label className={`field${fe('identity provider URL') ? ' has-error' : ''}`}>
              <span className="label">Identity provider URL (demo and tests only)</span>
              <input value={v.idpUrl} onChange={set('idpUrl')} placeholder={google ? 'Google' : 'Microsoft'} aria-label="Identity provider URL" />
              {fe('identity provider URL') && <span className="field-error">{fe('identity provider URL')}</span>}
            </label>
          </details>
        )}
        <div className="form-actions">
          <span className="muted">{saved ? 'Saved.' : ''}</span>
          <button type="submit">Save sign-in</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {setting.method === v.method && setting.interactive && status && <UserSignIn project={project} setting={setting} status={status} />}
      {setting.method === v.method && setting.appWide && status && <AppWide project={project} setting={setting} status={status} />}
    </div>
  )
}

function UserSignIn({ project, setting, status }: { project: ProjectSummary; setting: SignInSetting; status: SignInSideStatus }) {
  const [mailbox, setMailbox] = useState('')
  const [ticket, setTicket] = useState<Ticket | null>(null)
  const [result, setResult] = useState<SignInResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const chosen = mailbox || status.mailboxes[0]?.mailbox || ''
  const google = setting.method === 'google-user'

  async function start(mode: 'device' | 'browser') {
    setError(null)
    setResult(null)
    try {
      const t = await call<Ticket>('SignInStart', project.name, { side: setting.side, mailbox: chosen, mode })
      setTicket(t)
      if (t.authUrl) openExternal(t.authUrl)
      const r = await call<SignInResult>('SignInWait', t.handle)
      setResult(r)
      setTicket(null)
    } catch (err) {
      setError(err)
      setTicket(null)
    }
  }

  return (
    <div className="signin-user">
      <h3>Mailboxes</h3>
      <table className="data" data-testid={`signin-status-${setting.side}`}>
        <thead>
          <tr>
            <th>Mailbox</th>
            <th>State</th>
            <th>Token expires</th>
            <th>Renewable</th>
          </tr>
        </thead>
        <tbody>
          {status.mailboxes.map((m) => (
            <tr key={m.mailbox}>
              <td>{m.mailbox}</td>
              <td>
                <span className={`badge signin-${m.state}`}>{stateTitles[m.state]}</span>
              </td>
              <td>{m.expiry ? fmtDate(m.expiry, project.tz) : '—'}</td>
              <td>{m.state === 'signed-in' || m.state === 'expired' ? (m.refreshable ? 'yes' : 'no') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.mailboxes.length === 0 ? (
        <p className="muted">The batch has no mailbox on this side yet.</p>
      ) : (
        <div className="row">
          <select value={chosen} onChange={(e) => setMailbox(e.target.value)} aria-label="Mailbox to sign in" disabled={!!ticket}>
            {status.mailboxes.map((m) => (
              <option key={m.mailbox} value={m.mailbox}>
                {m.mailbox}
              </option>
            ))}
          </select>
          {(!google || setting.idpUrl) && (
            <button disabled={!!ticket} onClick={() => start('device')}>
              Sign in with a code
            </button>
          )}
          <button disabled={!!ticket} onClick={() => start('browser')}>
            Sign in in the browser
          </button>
          {ticket && <button onClick={() => call('SignInCancel', ticket.handle).catch(setError)}>Cancel</button>}
        </div>
      )}
      <SignInWaiting ticket={ticket} />
      {result && (
        <p data-testid="signin-result" className={result.state === 'signed-in' ? '' : 'bad-text'}>
          {result.state === 'signed-in' ? `Signed in as ${result.mailbox}.` : result.error}
        </p>
      )}
      <ErrorBox error={error} />
    </div>
  )
}

function AppWide({ project, setting, status }: { project: ProjectSummary; setting: SignInSetting; status: SignInSideStatus }) {
  const [checks, setChecks] = useState<CheckResult[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const check = async () => {
    setBusy(true)
    setError(null)
    try {
      setChecks(await call<CheckResult[]>('SignInCheck', project.name, setting.side))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="signin-app">
      {setting.method === 'google-service-account' && setting.serviceAccountClientId && (
        <p className="muted">
          In the Google Admin console (Security → API controls → Domain-wide delegation), authorise client ID <code>{setting.serviceAccountClientId}</code> for the
          scope <code>https://mail.google.com/</code>.
        </p>
      )}
      <div className="row">
        {setting.method === 'microsoft-app' && (
          <button onClick={() => call<BackendFile>('SignInScript', project.name, setting.side, '').then(saveFile, setError)}>Download FullAccess script</button>
        )}
        <button disabled={busy || status.mailboxes.length === 0} onClick={check}>
          {busy ? 'Checking…' : `Check access to ${status.mailboxes.length} mailboxes`}
        </button>
      </div>
      {checks && (
        <table className="data" data-testid={`signin-check-${setting.side}`}>
          <tbody>
            {checks.map((c) => (
              <tr key={c.mailbox}>
                <td>{c.mailbox}</td>
                <td>{c.ok ? <span className="badge state-done">ok</span> : <span className="bad-text">{c.advice || c.error}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={error} />
    </div>
  )
}
