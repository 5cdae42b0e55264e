import { FormEvent, useCallback, useEffect, useState } from 'react'
import { call, saveFile, BackendFile, openExternal } from '../../api/client'
import { Project } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { SignInTicket, SignInWaiting } from '../../components/SignInWaiting'
import { customerChanges } from '../../stores/domains'

/** A document of the pack (api.DocumentInfo). */
interface DocumentInfo {
  kind: string
  title: string
  step: string
  formats: string[]
}

/** A message's draft (messages.Draft). */
interface Draft {
  kind: string
  step: string
  lang: string
  from: string
  to: string[]
  cc: string[]
  subject: string
  body: string
  edited: boolean
  attachments: string[]
}

interface Refusal {
  address: string
  code: number
  message: string
}

/** What sending did (api.SendResult). */
interface SendResult {
  accepted: string[]
  refused: Refusal[]
  contact: { summary: string }
  step?: { title: string; status: string }
}

interface CustomerSettings {
  language: string
  webmail: string
  webmailPreset: string
  contactName: string
  contactEmail: string
  languages: string[]
}

interface Specialist {
  name: string
  company: string
  email: string
  phone: string
  signature: string
  smtpHost: string
  smtpPort: number
  smtpSecurity: string
  smtpUser: string
  smtpCAFile: string
  hasSmtpPassword: boolean
  smtpAuth: 'password' | 'microsoft' | 'google'
  smtpTenant: string
  smtpClientId: string
  smtpSignedIn: boolean
  smtpTokenExpiry?: string
  smtpRefreshable: boolean
  hasSmtpClientSecret: boolean
}

const smtpAuthTitles: Record<string, string> = {
  password: 'Password (AUTH PLAIN)',
  microsoft: 'Microsoft 365 sign-in (device code)',
  google: 'Google sign-in (browser)',
}

const messageTitles: Record<string, string> = {
  pre_contact: 'Pre-migration contact (T-7)',
  confirm_contact: 'Confirmation (T-2)',
  cutover_start: 'Cutover start',
  progress: 'Progress on the day',
  copy_complete: 'Copy complete',
  followup_contact: 'Follow-up (T+2 business days)',
}

/** Recipients as typed, one list the backend parses (RFC 5322: a quoted name may hold a comma). */
const list = (s: string) => (s.trim() ? [s.replace(/[;\n]+/g, ',')] : [])

/** The customer pack: each document (preview, download) and each message (edit, save .eml, send), from the project's values. */
export function CustomerPage({ project, item }: { project: Project; item?: string }) {
  const changes = customerChanges.use(project.name)
  const [docs, setDocs] = useState<DocumentInfo[]>([])
  const [drafts, setDrafts] = useState<Draft[]>([])
  const [error, setError] = useState<unknown>(null)
  // What the last send did, per message: kept here because sending saves the draft, which
  // starts its editor afresh.
  const [results, setResults] = useState<Record<string, SendResult>>({})
  // Whether messages can be sent from here: the specialist's profile names an SMTP server.
  const [smtp, setSmtp] = useState('')
  const load = useCallback(() => {
    call<DocumentInfo[]>('CustomerDocuments', project.name).then(setDocs, setError)
    call<Draft[]>('MessageDrafts', project.name).then(setDrafts, setError)
  }, [project.name, project.cutover])
  useEffect(load, [load, changes])
  const selected = drafts.find((d) => d.kind === item) ?? drafts[0]
  useEffect(() => {
    if (item) document.querySelector(`[data-item="${item}"]`)?.scrollIntoView({ block: 'start' })
  }, [item, docs.length, drafts.length])

  return (
    <div className="stack customer">
      <ErrorBox error={error} />
      <PackSettings project={project} onSaved={load} />
      <Documents project={project} docs={docs} item={item} />
      <div className="card" data-item={selected?.kind}>
        <div className="card-head">
          <h2>Messages</h2>
        </div>
        <nav className="msg-tabs" aria-label="Messages">
          {drafts.map((d) => (
            <a
              key={d.kind}
              href={`#/p/${encodeURIComponent(project.name)}/customer/${d.kind}`}
              className={d.kind === selected?.kind ? 'active' : ''}
              data-message={d.kind}
              data-item={d.kind}
            >
              {messageTitles[d.kind] ?? d.kind}
              {d.edited ? ' ✎' : ''}
            </a>
          ))}
        </nav>
        {/* Keyed on the draft itself: a saved or reset draft starts the editor afresh from what the backend holds. */}
        {selected && (
          <MessageEditor
            key={JSON.stringify(selected)}
            project={project}
            draft={selected}
            onChanged={load}
            sent={results[selected.kind]}
            smtp={smtp}
            onSent={(r) => setResults((m) => ({ ...m, [selected.kind]: r }))}
          />
        )}
      </div>
      <SpecialistProfile onLoaded={(s) => setSmtp(s.smtpHost ? `${s.smtpHost}:${s.smtpPort}` : '')} />
      <CloseCase project={project} />
    </div>
  )
}

function PackSettings({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const [s, setS] = useState<CustomerSettings | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    call<CustomerSettings>('CustomerSettings', project.name).then(setS, setError)
  }, [project.name])
  if (!s) return <ErrorBox error={error} />
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      const webmail = s!.webmail === s!.webmailPreset ? '' : s!.webmail
      setS(await call<CustomerSettings>('SetCustomerSettings', project.name, { language: s!.language, webmail, contactName: s!.contactName, contactEmail: s!.contactEmail }))
      setSaved(true)
      onSaved()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form className="card form-grid" onSubmit={save} aria-label="Pack settings">
      <h2 style={{ gridColumn: '1 / -1', margin: 0 }}>Customer pack</h2>
      <label className="field">
        <span className="label">Language</span>
        <select value={s.language} onChange={(e) => setS({ ...s, language: e.target.value })} aria-label="Language">
          {s.languages.map((l) => (
            <option key={l} value={l}>
              {l === 'fr' ? 'Français' : l === 'en' ? 'English' : l}
            </option>
          ))}
        </select>
      </label>
      <TextField label="Webmail URL" value={s.webmail} onChange={(v) => setS({ ...s, webmail: v })} hint={`Used on the day; the provider's preset: ${s.webmailPreset || '—'}`} />
      <TextField label="Contact name" value={s.contactName} onChange={(v) => setS({ ...s, contactName: v })} hint="The customer's contact person" />
      <TextField label="Contact email" value={s.contactEmail} onChange={(v) => setS({ ...s, contactEmail: v })} hint="Where messages go by default" />
      <div className="form-actions">
        <ErrorBox error={error} />
        <span className="muted">{saved ? 'Saved.' : ''}</span>
        <button type="submit">Save pack settings</button>
      </div>
    </form>
  )
}

function Documents({ project, docs, item }: { project: Project; docs: DocumentInfo[]; item?: string }) {
  const [preview, setPreview] = useState<{ kind: string; html: string } | null>(null)
  const [error, setError] = useState<unknown>(null)
  async function download(kind: string, format: string) {
    setError(null)
    try {
      saveFile(await call<BackendFile>('CustomerDocument', project.name, kind, format))
    } catch (e) {
      setError(e)
    }
  }
  async function show(kind: string) {
    setError(null)
    try {
      const f = await call<BackendFile>('CustomerDocument', project.name, kind, 'html')
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))
      setPreview({ kind, html: new TextDecoder().decode(bytes) })
    } catch (e) {
      setError(e)
    }
  }
  return (
    <div className="card">
      <h2>Documents</h2>
      <table className="data">
        <tbody>
          {docs.map((d) => (
            <tr key={d.kind} data-doc={d.kind} data-item={d.kind} className={item === d.kind ? 'selected' : ''}>
              <td>
                <b>{d.title}</b>
                <div className="muted small">
                  for the step <a href={`#/p/${encodeURIComponent(project.name)}/timeline`}>{d.step.replace(/_/g, ' ')}</a>
                </div>
              </td>
              <td className="row-actions">
                <button onClick={() => show(d.kind)} aria-label={`Preview ${d.title}`}>
                  Preview
                </button>
                {d.formats.map((f) => (
                  <button key={f} onClick={() => download(d.kind, f)} aria-label={`Download ${d.kind} as ${f}`}>
                    {f.toUpperCase()}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBox error={error} />
      {preview && (
        <div className="preview">
          <div className="card-head">
            <span className="muted">Preview</span>
            <button onClick={() => setPreview(null)}>Close preview</button>
          </div>
          <iframe title={`Preview of ${preview.kind}`} srcDoc={preview.html} sandbox="" />
        </div>
      )}
    </div>
  )
}

function MessageEditor({
  project,
  draft,
  onChanged,
  sent,
  onSent,
  smtp,
}: {
  project: Project
  draft: Draft
  onChanged: () => void
  sent?: SendResult
  onSent: (r: SendResult) => void
  smtp: string
}) {
  const [to, setTo] = useState(draft.to.join(', '))
  const [cc, setCc] = useState(draft.cc.join(', '))
  const [subject, setSubject] = useState(draft.subject)
  const [body, setBody] = useState(draft.body)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState('')
  const dirty = to !== draft.to.join(', ') || cc !== draft.cc.join(', ') || subject !== draft.subject || body !== draft.body

  async function run<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    setError(null)
    setBusy(what)
    try {
      return await f()
    } catch (e) {
      setError(e)
    } finally {
      setBusy('')
    }
  }
  const save = () => call<Draft>('SaveMessageDraft', project.name, draft.kind, { to: list(to), cc: list(cc), subject, body })
  async function onSave() {
    if (await run('save', save)) onChanged()
  }
  async function onEML() {
    const f = await run('eml', async () => {
      if (dirty) await save()
      return call<BackendFile>('MessageEML', project.name, draft.kind)
    })
    if (f) saveFile(f)
  }
  async function onSend() {
    const r = await run('send', async () => {
      if (dirty) await save()
      return call<SendResult>('MessageSend', project.name, draft.kind, {})
    })
    if (r) {
      onSent(r)
      onChanged()
    }
  }
  async function onLogged() {
    const r = await run('log', () => call<SendResult>('MessageLogged', project.name, draft.kind, ''))
    if (r) {
      onSent(r)
      onChanged()
    }
  }
  async function onReset() {
    if (await run('reset', () => call<Draft>('ResetMessageDraft', project.name, draft.kind))) onChanged()
  }
  return (
    <div className="message-editor" data-testid="message-editor">
      <div className="muted small">
        From {draft.from || '(set your address in your profile below)'} · logged against the step{' '}
        <a href={`#/p/${encodeURIComponent(project.name)}/timeline`}>{draft.step.replace(/_/g, ' ')}</a>
        {draft.edited ? ' · edited for this project' : ' · written from the project'}
      </div>
      <TextField label="To" value={to} onChange={setTo} />
      <TextField label="Cc" value={cc} onChange={setCc} />
      <TextField label="Subject" value={subject} onChange={setSubject} />
      <label className="field">
        <span className="label">Message</span>
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={16} aria-label="Message body" />
      </label>
      {draft.attachments.length > 0 && (
        <div className="muted small" data-testid="attachments">
          Attached (written when saved or sent): {draft.attachments.join(', ')}
        </div>
      )}
      <div className="row">
        <button onClick={onSave} disabled={!dirty || !!busy}>
          Save draft
        </button>
        <button onClick={onEML} disabled={!!busy} title="Opens in your own mail client, ready to send">
          Save .eml
        </button>
        <button
          className="primary"
          onClick={onSend}
          disabled={!!busy || !smtp}
          title={smtp ? `Send through ${smtp}, log it and mark the step` : 'Set an SMTP server in your profile below, or save the .eml'}
        >
          {busy === 'send' ? 'Sending…' : 'Send'}
        </button>
        <button onClick={onLogged} disabled={!!busy} title="You sent it from your own mail client: log it and mark the step">
          Mark as sent
        </button>
        {draft.edited && (
          <button onClick={onReset} disabled={!!busy}>
            Back to the project's text
          </button>
        )}
      </div>
      {!smtp && <div className="muted small">No SMTP server in your profile: save the .eml, send it from your mail client, then “Mark as sent”.</div>}
      <ErrorBox error={error} />
      {sent && (
        <div className="sent" role="status">
          <div>Sent to {sent.accepted.join(', ') || '—'}.</div>
          {sent.refused.map((r) => (
            <div key={r.address} className="error refused">
              Refused: <b>{r.address}</b> — {r.code} {r.message}
            </div>
          ))}
          <div className="muted small">
            Logged: {sent.contact.summary}
            {sent.step ? ` · ${sent.step.title}: ${sent.step.status}` : ''}
          </div>
        </div>
      )}
    </div>
  )
}

function SpecialistProfile({ onLoaded }: { onLoaded: (s: Specialist) => void }) {
  const [s, setS] = useState<Specialist | null>(null)
  const [password, setPassword] = useState('')
  const [clientSecret, setClientSecret] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const [stored, setStored] = useState<Specialist | null>(null)
  useEffect(() => {
    call<Specialist>('Specialist').then((v) => {
      setStored(v)
      setS(v)
      onLoaded(v)
    }, setError)
  }, [])
  if (!s) return <ErrorBox error={error} />
  const field = (key: keyof Specialist, label: string, hint?: string) => (
    <TextField label={label} hint={hint} value={String(s[key] ?? '')} onChange={(v) => setS({ ...s, [key]: key === 'smtpPort' ? Number(v) || 0 : v })} />
  )
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      const v = await call<Specialist>('SetSpecialist', { ...s, smtpPassword: password, smtpClientSecret: clientSecret })
      setS(v)
      setStored(v)
      onLoaded(v)
      setPassword('')
      setClientSecret('')
      setSaved(true)
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form className="card form-grid" onSubmit={save} aria-label="Your profile">
      <h2 style={{ gridColumn: '1 / -1', margin: 0 }}>Your profile (every project)</h2>
      {field('name', 'Your name')}
      {field('company', 'Company')}
      {field('email', 'Your email', 'The From of every message')}
      {field('phone', 'Phone')}
      <label className="field" style={{ gridColumn: '1 / -1' }}>
        <span className="label">Signature</span>
        <textarea value={s.signature} rows={3} onChange={(e) => setS({ ...s, signature: e.target.value })} aria-label="Signature" placeholder="Empty: the built-in one with your name, company, phone and email" />
      </label>
      {field('smtpHost', 'SMTP server', 'e.g. smtp.office365.com; empty: save .eml only')}
      {field('smtpPort', 'SMTP port', '587 (STARTTLS) or 465 (TLS)')}
      <label className="field">
        <span className="label">SMTP security</span>
        <select value={s.smtpSecurity} onChange={(e) => setS({ ...s, smtpSecurity: e.target.value })} aria-label="SMTP security">
          <option value="starttls">STARTTLS (587)</option>
          <option value="tls">TLS (465)</option>
        </select>
      </label>
      {field('smtpUser', 'SMTP user')}
      <label className="field">
        <span className="label">SMTP sign-in</span>
        <select value={s.smtpAuth || 'password'} onChange={(e) => setS({ ...s, smtpAuth: e.target.value as Specialist['smtpAuth'] })} aria-label="SMTP sign-in">
          {Object.entries(smtpAuthTitles).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>
      {(s.smtpAuth || 'password') === 'password' ? (
        <label className="field">
          <span className="label">SMTP password</span>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} aria-label="SMTP password" placeholder={s.hasSmtpPassword ? 'stored (type to replace)' : ''} />
        </label>
      ) : (
        <>
          {s.smtpAuth === 'microsoft' && field('smtpTenant', 'Tenant', 'The tenant ID or domain; empty: any work account')}
          {field('smtpClientId', 'App client ID', 'The app registration (Microsoft) or OAuth client (Google) you sign in with')}
          {s.smtpAuth === 'google' && (
            <label className="field">
              <span className="label">Client secret</span>
              <input type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} aria-label="Client secret" placeholder={s.hasSmtpClientSecret ? 'stored (type to replace)' : ''} />
            </label>
          )}
        </>
      )}
      {field('smtpCAFile', 'SMTP CA file', 'Only for a server with a private CA (PEM)')}
      {stored && stored.smtpAuth !== 'password' && stored.smtpAuth === s.smtpAuth && (
        <SMTPSignIn
          profile={stored}
          onSignedIn={() =>
            call<Specialist>('Specialist').then((v) => {
              setStored(v)
              setS({ ...s, smtpSignedIn: v.smtpSignedIn, smtpTokenExpiry: v.smtpTokenExpiry, smtpRefreshable: v.smtpRefreshable })
            }, setError)
          }
        />
      )}
      <div className="form-actions">
        <ErrorBox error={error} />
        <span className="muted">{saved ? 'Saved.' : ''}</span>
        <button type="submit">Save profile</button>
      </div>
    </form>
  )
}

/** The SMTP user's OAuth sign-in: its state, and a device code or browser sign-in (the
 * same flow as a mailbox's, SignInSettings). The token stays in the vault. */
function SMTPSignIn({ profile, onSignedIn }: { profile: Specialist; onSignedIn: () => void }) {
  const [ticket, setTicket] = useState<SignInTicket | null>(null)
  const [result, setResult] = useState<{ state: string; mailbox: string; error?: string } | null>(null)
  const [error, setError] = useState<unknown>(null)
  async function start(mode: 'device' | 'browser') {
    setError(null)
    setResult(null)
    try {
      const t = await call<SignInTicket>('SpecialistSignInStart', { mode })
      setTicket(t)
      if (t.authUrl) openExternal(t.authUrl)
      const r = await call<{ state: string; mailbox: string; error?: string }>('SignInWait', t.handle)
      setResult(r)
      setTicket(null)
      if (r.state === 'signed-in') onSignedIn()
    } catch (err) {
      setError(err)
      setTicket(null)
    }
  }
  const state = profile.smtpSignedIn
    ? `Signed in${profile.smtpTokenExpiry ? ` (token until ${new Date(profile.smtpTokenExpiry).toLocaleString()}` : ' ('}${profile.smtpRefreshable ? ', renewed by itself)' : ')'}`
    : 'Not signed in: messages cannot be sent until you sign in.'
  return (
    <div className="signin-user" style={{ gridColumn: '1 / -1' }} data-testid="smtp-signin">
      <div className="row">
        <span>
          {smtpAuthTitles[profile.smtpAuth]} as <b>{profile.smtpUser || '(no SMTP user)'}</b>:{' '}
          <span className={`badge signin-${profile.smtpSignedIn ? 'signed-in' : 'not-signed-in'}`} data-testid="smtp-signin-state">
            {state}
          </span>
        </span>
        {profile.smtpAuth === 'microsoft' && (
          <button type="button" disabled={!!ticket} onClick={() => start('device')}>
            Sign in
          </button>
        )}
        <button type="button" disabled={!!ticket} onClick={() => start('browser')}>
          {profile.smtpAuth === 'microsoft' ? 'Sign in in the browser' : 'Sign in'}
        </button>
        {ticket && (
          <button type="button" onClick={() => call('SignInCancel', ticket.handle).catch(setError)}>
            Cancel
          </button>
        )}
      </div>
      <SignInWaiting ticket={ticket} testIdPrefix="smtp-" />
      {result && (
        <p data-testid="smtp-signin-result" className={result.state === 'signed-in' ? '' : 'bad-text'}>
          {result.state === 'signed-in' ? `Signed in as ${result.mailbox}.` : result.error}
        </p>
      )}
      <ErrorBox error={error} />
    </div>
  )
}

function CloseCase({ project }: { project: Project }) {
  const [force, setForce] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState('')
  async function close() {
    setError(null)
    try {
      const r = await call<{ step: { note: string }; report: BackendFile }>('CloseCase', project.name, force, reason)
      setDone(r.step.note)
      saveFile(r.report)
    } catch (e) {
      setError(e)
    }
  }
  return (
    <div className="card" data-item="close_case">
      <h2>Close the case</h2>
      <p className="muted">Needs the follow-up contact and a verification with nothing missing; writes the closing report.</p>
      <div className="row">
        <label>
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Close with open items
        </label>
        {force && <input className="grow" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why" aria-label="Reason" />}
        <button onClick={close}>Close case</button>
      </div>
      <ErrorBox error={error} />
      {done && <div className="muted">{done}</div>}
    </div>
  )
}

/** A labelled text input; the label names it for assistive technology and tests. */
function TextField({ label, value, onChange, hint }: { label: string; value: string; onChange: (v: string) => void; hint?: string }) {
  return (
    <label className="field">
      <span className="label">{label}</span>
      <input value={value} onChange={(e) => onChange(e.target.value)} aria-label={label} />
      {hint && <span className="hint">{hint}</span>}
    </label>
  )
}
