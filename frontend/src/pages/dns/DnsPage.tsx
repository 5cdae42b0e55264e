import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react'
import { call } from '../../api/client'
import { dnsCheckChanges, dnsSetupChanges } from '../../stores/domains'
import { Project } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox, fieldError } from '../../components/ErrorBox'
import { Column, DataTable } from '../../components/DataTable'
import { EvidenceNote } from './Evidence'
import { DnsHost } from './DnsHost'
import { DnsAnswer, DnsCheckResult, DnsRecord, DnsResult, DnsSettings, DnsSetup, Phase, verdictTitles } from './types'
import './dns.css'

/**
 * The DNS page: run a check (before the cutover: verification and TTLs; after: the new
 * records and their propagation), one row per record with what each server answered,
 * the verdict and the exact record to publish; the safe-switch time; the timeline steps
 * the check proves; the expected records and the settings.
 */
export function DnsPage({ project }: { project: Project }) {
  const [setup, setSetup] = useState<DnsSetup | null>(null)
  const [result, setResult] = useState<DnsCheckResult | null>(null)
  const [phase, setPhase] = useState<Phase>(new Date(project.cutover).getTime() > Date.now() ? 'before' : 'after')
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const loadSetup = useCallback(() => call<DnsSetup>('DnsSetup', project.name).then(setSetup, setError), [project.name])
  const loadLatest = useCallback(
    (ph: Phase) => call<DnsCheckResult | null>('DnsLatest', project.name, ph).then(setResult, setError),
    [project.name],
  )
  const setupChanges = dnsSetupChanges.use(project.name)
  const checkChanges = dnsCheckChanges.use(project.name)
  useEffect(() => {
    loadSetup()
  }, [loadSetup, setupChanges])
  useEffect(() => {
    loadLatest(phase)
  }, [loadLatest, phase, checkChanges])

  async function run() {
    setRunning(true)
    setError(null)
    try {
      setResult(await call<DnsCheckResult>('DnsCheck', project.name, { phase }))
    } catch (e) {
      setError(e)
    } finally {
      setRunning(false)
    }
  }

  const rep = result?.report
  return (
    <div className="stack">
      <div className="card">
        <div className="card-head">
          <h2>DNS check</h2>
          <div className="row" style={{ marginBottom: 0 }}>
            <div role="radiogroup" aria-label="Phase" className="row" style={{ marginBottom: 0 }}>
              <label>
                <input type="radio" name="phase" checked={phase === 'before'} onChange={() => setPhase('before')} /> Before the cutover
              </label>
              <label>
                <input type="radio" name="phase" checked={phase === 'after'} onChange={() => setPhase('after')} /> After the switch
              </label>
            </div>
            <button className="primary" onClick={run} disabled={running}>
              {running ? 'Checking…' : 'Run check'}
            </button>
          </div>
        </div>
        <p className="muted small" style={{ marginTop: 0 }}>
          {phase === 'before'
            ? 'Checks the verification TXT record and that the TTLs of the records that will change (MX, Autodiscover, SPF, the mail hosts) are lowered on the authoritative servers.'
            : 'Checks the new records on every authoritative server, then how many resolvers already see them.'}
        </p>
        <ErrorBox error={error} />
        {rep ? <CheckSummary result={result!} tz={project.tz} /> : <p className="muted">No {phase} check yet: run one.</p>}
      </div>
      {rep && result!.evidence.length > 0 && (
        <div className="card" data-testid="dns-evidence">
          <h2>Timeline steps this proves</h2>
          <table className="data">
            <tbody>
              {result!.evidence.map((ev) => (
                <tr key={ev.step} data-step={ev.step}>
                  <td className="nowrap">
                    <b>{ev.title || ev.step}</b>
                    <div className="muted small">status: {ev.status.replace('_', ' ')}</div>
                  </td>
                  <td>
                    <EvidenceNote project={project.name} ev={ev} tz={project.tz} onMarked={() => loadLatest(phase)} onError={setError} />
                    <div className="muted small">{ev.summary}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rep && <Results result={result!} />}
      {setup && <ExpectedRecords project={project} setup={setup} onChanged={loadSetup} />}
      <DnsHost project={project} />
      {setup && <Settings project={project} setup={setup} onSaved={loadSetup} />}
    </div>
  )
}

function CheckSummary({ result, tz }: { result: DnsCheckResult; tz: string }) {
  const rep = result.report
  const resolvers = rep.results.filter((r) => r.kind === 'value' && r.asked > 0)
  return (
    <div className="stack" style={{ gap: 8 }}>
      <div data-testid="dns-summary">
        Check #{result.id} ({rep.phase} the cutover) of {rep.domains.join(', ')} at {fmtDate(rep.at, tz)}:{' '}
        <b className={rep.ok ? '' : 'overdue'}>
          {rep.passed} passed, {rep.failed} failed
        </b>
        <span className="muted">
          {' '}
          · asked {rep.nameservers.map((n) => n.label).join(', ') || 'no authoritative server'}
          {rep.phase === 'after' && rep.resolvers.length > 0 ? ` and ${rep.resolvers.length} resolver(s)` : ''}
        </span>
      </div>
      {(rep.problems ?? []).map((p) => (
        <div key={p} className="error">
          {p}
        </div>
      ))}
      {(rep.notes ?? []).map((n) => (
        <div key={n} className="muted small" data-testid="dns-note">
          {n}
        </div>
      ))}
      {rep.safe && (
        <div className={`safe-switch${rep.safe.known ? ' known' : ''}`} data-testid="safe-switch">
          {rep.safe.sentence}
        </div>
      )}
      {resolvers.length > 0 && (
        <ul className="small" data-testid="propagation" style={{ margin: 0, paddingLeft: 18 }}>
          {resolvers.map((r) => (
            <li key={r.domain + r.key}>
              <b>
                {r.seen} of {r.asked}
              </b>{' '}
              resolvers see the new {shortName(r)} ({r.name})
              {(r.lingering ?? []).length > 0 && <span className="muted"> — {r.lingering!.join('; ')}</span>}
            </li>
          ))}
        </ul>
      )}
      {(rep.reachability ?? []).length > 0 && (
        <ul className="small" style={{ margin: 0, paddingLeft: 18 }}>
          {rep.reachability!.map((x) => (
            <li key={x.addr} className={x.ok ? '' : 'overdue'}>
              {x.service} {x.addr}: {x.ok ? 'reachable' : 'not reachable'} — {x.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function shortName(r: DnsResult): string {
  return { mx: 'MX', spf: 'SPF', autodiscover: 'Autodiscover', verify: 'verification TXT' }[r.key] ?? `${r.type} record`
}

function Verdict({ v }: { v: DnsResult['verdict'] }) {
  return <span className={`verdict v-${v}`}>{verdictTitles[v] ?? v}</span>
}

function answerText(a: DnsAnswer): string {
  const vals = a.values.length ? a.values.join(' | ') : ''
  const chain = a.chain?.length ? `CNAME ${a.chain.join(' → ')}${vals ? ' → ' : ''}` : ''
  if (a.rcode !== 'NOERROR' || (!vals && !chain)) return `${a.rcode}${a.detail ? ': ' + a.detail : ''}`
  return chain + vals
}

function Answers({ r }: { r: DnsResult }) {
  return (
    <ul className="dns-answers">
      {r.answers.map((a) => (
        <li key={a.server} className={a.verdict === 'ok' ? 'a-ok' : 'a-bad'} title={a.detail}>
          <span className="who">
            {a.label}
            <span className="role"> {a.role === 'authoritative' ? 'auth' : 'resolver'}</span>
          </span>
          <span className="vals">{answerText(a)}</span>
          {a.hasTTL && <span className="muted">TTL {a.ttl}</span>}
          {a.tcp && <span className="muted">(TCP)</span>}
        </li>
      ))}
    </ul>
  )
}

function maxTTL(r: DnsResult): number {
  const ttls = r.answers.filter((a) => a.hasTTL && a.role === 'authoritative').map((a) => a.ttl)
  return ttls.length ? Math.max(...ttls) : -1
}

/** Copies text; the clipboard API where allowed, else a selected textarea. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  async function copy() {
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      const ta = document.createElement('textarea')
      ta.value = text
      document.body.appendChild(ta)
      ta.select()
      document.execCommand('copy')
      ta.remove()
    }
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <button className="copy" onClick={copy} aria-label={`Copy: ${text}`}>
      {done ? 'Copied' : label}
    </button>
  )
}

function Results({ result }: { result: DnsCheckResult }) {
  const columns: Column<DnsResult>[] = useMemo(
    () => [
      {
        key: 'name',
        title: 'Record',
        value: (r) => `${r.name} ${r.type}`,
        render: (r) => (
          <div>
            <b>{r.name}</b> {r.type}
            <div className="muted small">
              {r.purpose}
              {r.kind === 'ttl' ? ' · TTL' : ''}
            </div>
          </div>
        ),
      },
      { key: 'expected', title: 'Expected', width: '170px', value: (r) => r.expected, render: (r) => <code className="rr">{r.expected}</code> },
      { key: 'answers', title: 'Answers', value: (r) => r.answers.map(answerText).join(' '), render: (r) => <Answers r={r} /> },
      { key: 'ttl', title: 'TTL', align: 'right', value: (r) => maxTTL(r), render: (r) => (maxTTL(r) >= 0 ? `${maxTTL(r)} s` : '—') },
      {
        key: 'verdict',
        title: 'Verdict',
        value: (r) => r.verdict,
        render: (r) => (
          <div>
            <Verdict v={r.verdict} />
            <div className="small">{r.summary}</div>
            {(r.lingering ?? []).length > 0 && (
              <ul className="lingering">
                {r.lingering!.map((l) => (
                  <li key={l}>{l}</li>
                ))}
              </ul>
            )}
          </div>
        ),
      },
      {
        key: 'fix',
        title: 'What to change',
        value: (r) => r.fix ?? '',
        render: (r) =>
          r.fix ? (
            <div className="fix">
              <span>{r.fix}</span>
              {r.fixRecord && (
                <>
                  <code className="rr">{r.fixRecord}</code>
                  <CopyButton text={r.fixRecord} label="Copy record" />
                </>
              )}
            </div>
          ) : (
            <span className="muted">nothing</span>
          ),
      },
    ],
    [],
  )
  return (
    <DataTable
      testId="dns-results"
      rows={result.report.results}
      columns={columns}
      rowKey={(r) => `${r.domain}/${r.kind}/${r.key}/${r.name}`}
      rowClass={(r) => (r.verdict === 'ok' ? undefined : ['propagating', 'ttl_high', 'unset'].includes(r.verdict) ? 'warn' : 'bad')}
      filterPlaceholder="Filter records…"
    />
  )
}

const providerLabels: Record<string, string> = { m365: 'Microsoft 365', google: 'Google Workspace', imap: 'the IMAP host' }

const emptyRecord = { domain: '', key: '', name: '@', type: 'TXT', value: '', match: '', ttl: '' }

function ExpectedRecords({ project, setup, onChanged }: { project: Project; setup: DnsSetup; onChanged: () => void }) {
  const [form, setForm] = useState({ ...emptyRecord, domain: project.domains[0] ?? '' })
  const [error, setError] = useState<unknown>(null)
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })
  function edit(r: DnsRecord) {
    const rel = r.name === r.domain ? '@' : r.name.endsWith('.' + r.domain) ? r.name.slice(0, -r.domain.length - 1) : r.name
    setForm({ domain: r.domain, key: r.key, name: rel, type: r.type, value: r.value, match: r.match, ttl: String(r.ttl) })
  }
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('DnsSetRecord', project.name, form)
      setForm({ ...emptyRecord, domain: form.domain })
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  async function toggle(r: DnsRecord) {
    setError(null)
    try {
      await call('DnsSetRecord', project.name, { domain: r.domain, key: r.key, purpose: r.purpose, name: r.name, type: r.type, value: r.value, match: r.match, ttl: String(r.ttl), changes: r.changes, disabled: !r.disabled })
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  async function reset(r: DnsRecord) {
    setError(null)
    try {
      await call('DnsResetRecord', project.name, r.domain, r.key)
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  const columns: Column<DnsRecord>[] = [
    { key: 'domain', title: 'Domain', value: (r) => r.domain },
    { key: 'key', title: 'Key', value: (r) => r.key },
    { key: 'name', title: 'Name', value: (r) => r.name },
    { key: 'type', title: 'Type', value: (r) => r.type },
    { key: 'value', title: 'Value', value: (r) => r.value, render: (r) =>
        r.value ? (
          <>
            <code className="rr">{r.match === 'spf' ? `SPF with ${r.value}` : r.value}</code>
            {r.accept?.length ? <span className="muted small"> or {r.accept.join(', ')}</span> : null}
            {r.ifOffered ? <span className="muted small"> (checked if the host offers it)</span> : null}
          </>
        ) : (
          <span className="overdue">not set</span>
        ) },
    { key: 'ttl', title: 'TTL', value: (r) => r.ttl, align: 'right' },
    { key: 'note', title: 'Note', value: (r) => [r.custom ? 'edited' : 'provider', r.disabled ? 'disabled' : ''].join(' '), render: (r) => <span className="muted small">{r.custom ? 'edited' : 'provider'}{r.disabled ? ' · not checked' : ''}</span> },
  ]
  return (
    <div className="card">
      <h2>Expected records</h2>
      <p className="muted small" style={{ marginTop: 0 }}>
        What {providerLabels[project.provider] ?? 'the destination'} needs, for each domain. Change one for this project, or add your own (same key replaces the provider's).
      </p>
      <DataTable
        testId="dns-expected"
        rows={setup.records}
        columns={columns}
        rowKey={(r) => `${r.domain}/${r.key}`}
        rowClass={(r) => (r.disabled ? 'warn' : undefined)}
        actions={(r) => (
          <>
            <button onClick={() => edit(r)}>Edit</button>
            <button onClick={() => toggle(r)}>{r.disabled ? 'Check it' : "Don't check"}</button>
            {r.custom && <button onClick={() => reset(r)}>Reset</button>}
          </>
        )}
      />
      <form className="record-form" onSubmit={save} style={{ marginTop: 10 }} aria-label="Expected record">
        <Field label="Domain" err={fieldError(error, 'domain')}>
          <select value={form.domain} onChange={set('domain')} aria-label="Record domain">
            {project.domains.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </Field>
        <Field label="Key" err={fieldError(error, 'key')}>
          <input value={form.key} onChange={set('key')} placeholder="mx" aria-label="Record key" />
        </Field>
        <Field label="Name" err={fieldError(error, 'name')}>
          <input value={form.name} onChange={set('name')} placeholder="@ or autodiscover" aria-label="Record name" />
        </Field>
        <Field label="Type" err={fieldError(error, 'type')}>
          <select value={form.type} onChange={set('type')} aria-label="Record type">
            {['MX', 'TXT', 'CNAME', 'SRV', 'A', 'AAAA'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Value" err={fieldError(error, 'value')}>
          <input value={form.value} onChange={set('value')} placeholder="0 acme-example.mail.protection.outlook.com" aria-label="Record value" />
        </Field>
        <Field label="TTL" err={fieldError(error, 'ttl')}>
          <input value={form.ttl} onChange={set('ttl')} placeholder="300" aria-label="Record TTL" />
        </Field>
        <Field label="Match" err={fieldError(error, 'match')}>
          <select value={form.match} onChange={set('match')} aria-label="Record match">
            <option value="">exact</option>
            <option value="spf">SPF</option>
          </select>
        </Field>
        <button type="submit">Save record</button>
      </form>
      <ErrorBox error={error} />
    </div>
  )
}

function Field({ label, err, children }: { label: string; err?: string; children: React.ReactNode }) {
  return (
    <label className={`field${err ? ' has-error' : ''}`}>
      <span className="label">{label}</span>
      {children}
      {err && <span className="field-error">{err}</span>}
    </label>
  )
}

function Settings({ project, setup, onSaved }: { project: Project; setup: DnsSetup; onSaved: () => void }) {
  const s = setup.settings
  const [verification, setVerification] = useState<Record<string, string>>(() => Object.fromEntries(project.domains.map((d) => [d, s.verification[d] ?? ''])))
  const [resolvers, setResolvers] = useState(s.resolvers.join('\n'))
  const [nameservers, setNameservers] = useState(s.nameservers.join('\n'))
  const [ttl, setTTL] = useState(String(s.ttlTarget))
  const [reach, setReach] = useState(s.reach)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const lines = (t: string) => t.split(/[\s,;]+/).filter(Boolean)
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      await call<DnsSettings>('DnsSetSettings', project.name, { verification, resolvers: lines(resolvers), nameservers: lines(nameservers), ttlTarget: ttl, reach })
      setSaved(true)
      onSaved()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <div className="card dns-settings">
      <h2>Settings</h2>
      <form className="form-grid" onSubmit={save}>
        {project.domains.map((d) => (
          <Field key={d} label={`Verification TXT for ${d}`} err={fieldError(error, 'verification')}>
            <input name={`verification-${d}`} value={verification[d] ?? ''} onChange={(e) => setVerification({ ...verification, [d]: e.target.value })} placeholder="MS=ms12345678" />
            <span className="hint">The value the destination's console shows for domain verification.</span>
          </Field>
        ))}
        <Field label="Resolvers (propagation)" err={fieldError(error, 'resolver')}>
          <textarea name="resolvers" value={resolvers} onChange={(e) => setResolvers(e.target.value)} placeholder={setup.defaultResolvers.map((r) => r.addr).join('\n')} />
          <span className="hint">IP[:port], one per line. Empty: {setup.defaultResolvers.map((r) => r.label).join(', ') || 'the system resolver'}.</span>
        </Field>
        <Field label="Authoritative servers" err={fieldError(error, 'nameserver')}>
          <textarea name="nameservers" value={nameservers} onChange={(e) => setNameservers(e.target.value)} placeholder="found through NS" />
          <span className="hint">IP[:port], one per line. Empty: the servers the domain's NS records name.</span>
        </Field>
        <Field label="TTL target (s)" err={fieldError(error, 'ttl target')}>
          <input name="ttlTarget" value={ttl} onChange={(e) => setTTL(e.target.value)} />
          <label className="hint">
            <input type="checkbox" checked={reach} onChange={(e) => setReach(e.target.checked)} /> also try the destination's IMAP and submission ports (TLS verified)
          </label>
        </Field>
        <div className="form-actions">
          <ErrorBox error={error} />
          {saved && <span className="muted">Saved.</span>}
          <button type="submit" className="primary">
            Save settings
          </button>
        </div>
      </form>
    </div>
  )
}
