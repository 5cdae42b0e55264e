import { FormEvent, useCallback, useEffect, useState } from 'react'
import { call } from '../../api/client'
import { Project } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox, fieldError } from '../../components/ErrorBox'

interface HostView {
  kind: string
  zone: string
  server?: string
  keyName?: string
  algorithm?: string
  zoneId?: string
  hasSecret: boolean
}

interface ChangePlan {
  kind: string
  zone: string
  lines: string[]
  fingerprint: string
  timing: string[]
}

interface ChangeResult extends ChangePlan {
  id: number
  state: string
}

interface Scheduled {
  id: number
  kind: string
  at: string
  state: string
  error?: string
}

interface ChangeRecord {
  id: number
  at: string
  kind: string
  fingerprint: string
  diff: string
  state: string
  error?: string
  undoneBy?: number
}

const kinds: { key: 'lower' | 'switch' | 'rollback'; label: string }[] = [
  { key: 'lower', label: 'Lower the TTLs' },
  { key: 'switch', label: 'Switch MX, SPF, Autodiscover' },
  { key: 'rollback', label: 'Roll back the latest change' },
]

/**
 * Changes at the customer's DNS host: how Cutover reaches it (the secret sealed, never shown),
 * each change shown record by record with its fingerprint before anything is sent, applied
 * only once confirmed, and the history with what each change replaced.
 */
export function DnsHost({ project }: { project: Project }) {
  const [host, setHost] = useState<HostView | null>(null)
  const [form, setForm] = useState({ kind: 'rfc2136', zone: '', server: '', keyName: '', algorithm: '', zoneId: '', secret: '' })
  const [plan, setPlan] = useState<ChangePlan | null>(null)
  const [done, setDone] = useState<ChangeResult | null>(null)
  const [history, setHistory] = useState<ChangeRecord[]>([])
  const [scheduled, setScheduled] = useState<Scheduled[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState('')

  const load = useCallback(() => {
    call<HostView>('DnsHost', project.name).then(
      (h) => {
        setHost(h)
        setForm((f) => ({ ...f, kind: h.kind, zone: h.zone, server: h.server ?? '', keyName: h.keyName ?? '', algorithm: h.algorithm ?? '', zoneId: h.zoneId ?? '' }))
      },
      () => setHost(null), // none set yet
    )
    call<ChangeRecord[]>('DnsChanges', project.name).then((c) => setHistory(c ?? []), setError)
    call<Scheduled[]>('DnsScheduled', project.name).then((c) => setScheduled(c ?? []), setError)
  }, [project.name])
  useEffect(load, [load])

  async function act(name: string, f: () => Promise<void>) {
    setBusy(name)
    setError(null)
    try {
      await f()
    } catch (err) {
      setError(err)
    } finally {
      setBusy('')
    }
  }

  function save(e: FormEvent) {
    e.preventDefault()
    act('save', async () => {
      setHost(await call<HostView>('DnsHostSet', project.name, form))
      setForm((f) => ({ ...f, secret: '' }))
    })
  }

  const err = (field: string) => fieldError(error, field)
  return (
    <div className="card" data-testid="dns-host">
      <h2>Changes at the DNS host</h2>
      <p className="muted small" style={{ marginTop: 0 }}>
        With the customer's DNS host credentials, Cutover lowers the TTLs and makes the switch itself. Nothing changes before you have seen the exact change and confirmed it; the records it replaces are kept for a rollback.
      </p>
      <form className="form-grid" onSubmit={save}>
        <label className="field">
          <span className="label">DNS host</span>
          <select aria-label="DNS host kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
            <option value="rfc2136">Dynamic updates with a TSIG key (BIND, Knot, PowerDNS)</option>
            <option value="cloudflare">Cloudflare</option>
          </select>
        </label>
        <label className={`field${err('zone') ? ' has-error' : ''}`}>
          <span className="label">Zone</span>
          <input aria-label="Zone" placeholder={project.domains[0]} value={form.zone} onChange={(e) => setForm({ ...form, zone: e.target.value })} />
          {err('zone') && <span className="field-error">{err('zone')}</span>}
        </label>
        {form.kind === 'rfc2136' ? (
          <>
            <label className={`field${err('server') ? ' has-error' : ''}`}>
              <span className="label">Primary server</span>
              <input aria-label="Primary server" placeholder="ns1.acme.example:53" value={form.server} onChange={(e) => setForm({ ...form, server: e.target.value })} />
              {err('server') && <span className="field-error">{err('server')}</span>}
            </label>
            <label className={`field${err('key name') ? ' has-error' : ''}`}>
              <span className="label">TSIG key name</span>
              <input aria-label="TSIG key name" value={form.keyName} onChange={(e) => setForm({ ...form, keyName: e.target.value })} />
              {(err('key name')) && <span className="field-error">{err('key name')}</span>}
            </label>
          </>
        ) : (
          <label className={`field${err('zone id') ? ' has-error' : ''}`}>
            <span className="label">Zone ID</span>
            <input aria-label="Zone ID" value={form.zoneId} onChange={(e) => setForm({ ...form, zoneId: e.target.value })} />
            {(err('zone id')) && <span className="field-error">{err('zone id')}</span>}
          </label>
        )}
        <label className={`field${err('secret') || err('token') ? ' has-error' : ''}`}>
          <span className="label">{form.kind === 'rfc2136' ? 'TSIG secret' : 'API token'}</span>
          <input aria-label="DNS host secret" type="password" autoComplete="off" placeholder={host?.hasSecret ? 'stored (leave empty to keep it)' : ''}
            value={form.secret} onChange={(e) => setForm({ ...form, secret: e.target.value })} />
          {(err('secret') || err('token')) && <span className="field-error">{err('secret') || err('token')}</span>}
        </label>
        <div className="form-actions"><button type="submit" disabled={!!busy}>{busy === 'save' ? 'Saving…' : 'Save DNS host'}</button></div>
      </form>
      <ErrorBox error={error} />
      {host && (
        <div className="row">
          {kinds.map((k) => (
            <button key={k.key} disabled={!!busy} onClick={() => act(k.key, async () => {
              setDone(null)
              setPlan(await call<ChangePlan>('DnsChangePlan', project.name, k.key))
            })}>{busy === k.key ? 'Reading the records…' : k.label}</button>
          ))}
        </div>
      )}
      {plan && (
        <div className="plan" data-testid="dns-plan">
          {plan.lines.length === 0 ? (
            <p>Nothing to change: the records are already as they should be.</p>
          ) : (
            <>
              <p><b>{plan.kind === 'lower' ? 'Lower' : plan.kind === 'switch' ? 'Switch' : 'Rollback'} in zone {plan.zone}, {plan.lines.length} change{plan.lines.length === 1 ? '' : 's'}:</b></p>
              <pre className="diff">{plan.lines.join('\n')}</pre>
              {plan.timing.map((t) => <p key={t} className="muted small">{t}</p>)}
              <p className="muted small">Fingerprint {plan.fingerprint}: the change is made only if the records are still these.</p>
              <button className="primary" disabled={!!busy} onClick={() => act('apply', async () => {
                const r = await call<ChangeResult>('DnsChangeApply', project.name, plan.kind, plan.fingerprint)
                setDone(r)
                setPlan(null)
                load()
              })}>{busy === 'apply' ? 'Applying…' : `Apply these ${plan.lines.length} changes`}</button>{' '}
              {plan.kind !== 'rollback' && (
                <button disabled={!!busy} title="Cutover makes the change then, while it is open, only if the records are still these" onClick={() => act('schedule', async () => {
                  await call('DnsChangeSchedule', project.name, { kind: plan.kind, confirm: plan.fingerprint, at: '' })
                  setPlan(null)
                  load()
                })}>{busy === 'schedule' ? 'Scheduling…' : "Make them at the timeline's time"}</button>
              )}{' '}
              <button disabled={!!busy} onClick={() => setPlan(null)}>Cancel</button>
            </>
          )}
        </div>
      )}
      {done && <p data-testid="dns-applied" className={done.state === 'applied' ? 'ok-text' : 'bad-text'}>Change {done.id}: {done.state}. Run a DNS check to follow the propagation.</p>}
      {scheduled.length > 0 && (
        <table className="data" data-testid="dns-scheduled">
          <thead><tr><th>Scheduled</th><th>Change</th><th>State</th><th /></tr></thead>
          <tbody>
            {scheduled.map((d) => (
              <tr key={d.id}><td className="nowrap">{fmtDate(d.at, project.tz)}</td><td>{d.kind}</td>
                <td className={d.state === 'refused' || d.state === 'failed' ? 'bad-text' : undefined}>{d.state}{d.error ? `: ${d.error}` : ''}</td>
                <td>{d.state === 'pending' && <button disabled={!!busy} onClick={() => act('cancel', async () => {
                  await call('DnsScheduleCancel', project.name, d.id)
                  load()
                })}>Cancel</button>}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {history.length > 0 && (
        <table className="data" data-testid="dns-history">
          <thead><tr><th>When</th><th>Change</th><th>State</th><th>Records</th></tr></thead>
          <tbody>
            {history.map((c) => (
              <tr key={c.id}><td className="nowrap">{fmtDate(c.at, project.tz)}</td><td>{c.kind}{c.undoneBy ? <span className="muted"> (rolled back)</span> : null}</td>
                <td className={c.state === 'applied' ? undefined : 'bad-text'}>{c.state}{c.error ? `: ${c.error}` : ''}</td><td><pre className="diff small">{c.diff}</pre></td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
