import { FormEvent, useCallback, useEffect, useState } from 'react'
import { call } from '../../api/client'
import { Project } from '../../api/types'
import { fmtBytes, fmtDate, fmtDuration } from '../../api/format'
import { DataTable, Column } from '../../components/DataTable'
import { ErrorBox } from '../../components/ErrorBox'
import { Progress } from '../../components/Progress'
import { FolderPlan, MailboxAnalysis, MailboxCheck, MailboxState, MailFolder, PIMCounts, PIMLive, PIMRun, PrePassEstimate, isRunning } from '../../api/mail'
import { mail, useMail, useMailAnalyzed } from '../../stores/mail'
import { SignInState } from './SignInState'
import { Sweeps } from './Sweeps'
import { PIMFiles } from './PIMFiles'

function fmtEta(sec: number): string {
  if (!isFinite(sec) || sec < 0) return '–'
  if (sec < 60) return `${Math.round(sec)} s`
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`
  return `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`
}

/** The live or last-known numbers of a mailbox's pass. */
function numbers(m: MailboxState) {
  const p = m.progress
  if (p && (isRunning(p.state) || !m.pass || p.state !== 'done' || m.running)) {
    return { state: p.state, done: p.messagesDone, total: p.messagesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, rate: p.rate, byteRate: p.byteRate, eta: p.etaSeconds, failed: p.failed, error: p.error ?? '' }
  }
  const s = m.pass
  if (!s) return null
  return { state: s.state, done: s.messagesDone, total: s.messagesTotal, bytesDone: s.bytesDone, bytesTotal: s.bytesTotal, rate: 0, byteRate: 0, eta: -1, failed: s.failed, error: s.error }
}

/** A class's items copied so far: calendars are events and journals. */
function copiedOf(c: PIMCounts['copied'] | undefined, cls: 'contacts' | 'calendars' | 'tasks'): number {
  if (!c) return 0
  return cls === 'contacts' ? c.contacts : cls === 'tasks' ? c.tasks : c.events + c.journals
}

/** Whether a mailbox's contacts/calendars pass is under way. */
function pimRunning(p?: PIMLive): boolean {
  return !!p && !p.ended
}

/**
 * A class's cell: the items copied so far (every pass and import), and this session's pass
 * of the mailbox: a bar while it runs, its numbers once it has ended. The totals count the
 * collections read so far: "so far" until the last one has been read.
 */
function PIMClassCell({ login, cls, copied, live }: { login: string; cls: 'contacts' | 'calendars' | 'tasks'; copied: number; live?: PIMLive }) {
  const c = live?.classes.find((x) => x.class === cls)
  const numbers = c ? `${c.done} / ${c.total}${live?.counted ? '' : ' so far'}${c.failed ? ` · ${c.failed} refused` : ''}` : ''
  return (
    <div className="pim-class" data-testid={`${cls}-${login}`}>
      {live && pimRunning(live) ? (
        c ? <Progress done={c.done} total={c.total} label={numbers} /> : <span className="muted">{live.counted ? 'none' : '…'}</span>
      ) : (
        <>
          <span className="count" title={`${cls} copied so far, by every pass and import`}>{copied}</span>
          {c && <span className={c.failed ? 'pass-line bad-text' : 'pass-line muted'} title="this session's pass: done of in scope">{live?.pass === 'files' ? 'import' : live?.pass} {numbers}</span>}
        </>
      )}
    </div>
  )
}

/** The collection a mailbox's contacts/calendars pass is copying, and what it refused. */
function PIMNow({ login, live }: { login: string; live?: PIMLive }) {
  if (!live || !pimRunning(live)) return null
  const refused = live.classes.reduce((n, c) => n + c.failed, 0)
  return (
    <div className="pim-now muted" data-testid={`pim-now-${login}`}>
      {live.reached > 0 ? <>Contacts, calendars, tasks: “{live.name || live.collection}” (collection {live.reached} of {live.collections})</> : 'Contacts, calendars, tasks: reading the collections'}
      {refused > 0 && <span className="bad-text"> · {refused} refused</span>}
    </div>
  )
}

/** The batch's mailboxes: passes with live progress, start/stop/resume, analysis, folder plans and verification. */
export function MailboxesPage({ project }: { project: Project }) {
  const { rows, totals, error: passError, pim, pimRuns, pimLive } = useMail(project.name)
  const [actionError, setError] = useState<unknown>(null)
  const error = actionError ?? passError
  const [pass, setPass] = useState<'pre' | 'final'>('pre')
  const [olderThan, setOlderThan] = useState('30d')
  const [concurrency, setConcurrency] = useState(4)
  const [busy, setBusy] = useState('')
  const [selected, setSelected] = useState<string>('')
  const [checks, setChecks] = useState<MailboxCheck[] | null>(null)

  /** The mailbox's mail pass, or else this session's contacts/calendars pass (a project without IMAP servers has only that). */
  function stateOf(m: MailboxState): { kind?: string; state: string } {
    const n = numbers(m)
    if (n) return { kind: m.pass?.kind, state: n.state }
    const live = pimLive[m.entry.sourceLogin]
    if (live && live.pass !== 'files') return { kind: live.pass, state: live.ended ?? 'copying' }
    return { state: m.entry.enabled ? 'not started' : 'disabled' }
  }

  const anyRunning = rows.some((m) => m.running || isRunning(m.progress?.state) || pimRunning(pimLive[m.entry.sourceLogin]))

  async function act(what: string, fn: () => Promise<unknown>) {
    setError(null)
    mail.clearError(project.name)
    setBusy(what)
    try {
      await fn()
    } catch (e) {
      setError(e)
    } finally {
      setBusy('')
      mail.reload(project.name)
    }
  }

  function start(e: FormEvent) {
    e.preventDefault()
    act('start', () => mail.start(project.name, { pass, olderThan: pass === 'pre' ? olderThan : '', concurrency }))
  }

  const columns: Column<MailboxState>[] = [
    { key: 'src', title: 'Source mailbox', value: (m) => m.entry.sourceLogin, render: (m) => (
      <button className="link" onClick={() => setSelected(m.entry.sourceLogin)} title="Show its folders">{m.entry.sourceLogin}</button>
    ) },
    { key: 'dst', title: 'Destination', value: (m) => m.entry.destLogin },
    { key: 'name', title: 'Name', value: (m) => m.entry.name ?? '' },
    { key: 'state', title: 'State', value: (m) => stateOf(m).state, render: (m) => {
      const { kind, state } = stateOf(m)
      return <span className={`badge state-${state}`} data-testid={`state-${m.entry.sourceLogin}`}>{(kind ? kind + ' · ' : '') + state}</span>
    } },
    ...(['contacts', 'calendars', 'tasks'] as const).map((cls): Column<MailboxState> => ({
      key: cls, title: cls[0].toUpperCase() + cls.slice(1), width: '130px', value: (m) => copiedOf(pim[m.entry.sourceLogin], cls),
      render: (m) => <PIMClassCell login={m.entry.sourceLogin} cls={cls} copied={copiedOf(pim[m.entry.sourceLogin], cls)} live={pimLive[m.entry.sourceLogin]} />,
    })),
    { key: 'progress', title: 'Progress', width: '300px', value: (m) => numbers(m)?.done ?? 0, render: (m) => {
      const n = numbers(m)
      const live = pimLive[m.entry.sourceLogin]
      const now = <PIMNow login={m.entry.sourceLogin} live={live} />
      if (!n) return pimRunning(live) ? now : <span className="muted">–</span>
      return (
        <div data-testid={`progress-${m.entry.sourceLogin}`}>
          <Progress done={n.bytesTotal > 0 ? n.bytesDone : n.done} total={n.bytesTotal > 0 ? n.bytesTotal : n.total}
            label={`${n.done} / ${n.total} msgs · ${fmtBytes(n.bytesDone)} / ${fmtBytes(n.bytesTotal)}`} />
          {now}
        </div>
      )
    } },
    { key: 'rate', title: 'Rate', align: 'right', value: (m) => numbers(m)?.rate ?? 0, render: (m) => {
      const n = numbers(m)
      return n && isRunning(n.state) ? `${n.rate.toFixed(0)} msg/s · ${fmtBytes(n.byteRate)}/s` : '–'
    } },
    { key: 'eta', title: 'ETA', align: 'right', value: (m) => numbers(m)?.eta ?? -1, render: (m) => {
      const n = numbers(m)
      return n && isRunning(n.state) ? fmtEta(n.eta) : '–'
    } },
    { key: 'errors', title: 'Errors', value: (m) => (numbers(m)?.failed ?? 0) + ' ' + (numbers(m)?.error ?? ''), render: (m) => {
      const n = numbers(m)
      if (!n) return null
      return (
        <span className={n.failed || n.error ? 'bad-text' : 'muted'}>
          {n.failed ? `${n.failed} refused` : ''}
          {n.error ? <span className="err-line" title={n.error}> {n.error}</span> : null}
          {!n.failed && !n.error ? 'none' : null}
        </span>
      )
    } },
  ]

  return (
    <div className="stack">
      <SignInState project={project} />
      <div className="card">
        <div className="card-head">
          <h2>Mailboxes</h2>
          <div className="row-actions">
            <button disabled={!!busy || rows.length === 0} onClick={() => act('analyze', () => call<MailboxAnalysis[]>('MailAnalyze', project.name, [], olderThan))}>
              {busy === 'analyze' ? 'Analysing…' : 'Analyse folders'}
            </button>
            <button disabled={!!busy || rows.length === 0} onClick={() => act('verify', async () => setChecks(await call<MailboxCheck[]>('MailVerify', project.name, [])))}>
              {busy === 'verify' ? 'Verifying…' : 'Verify'}
            </button>
          </div>
        </div>
        <form className="pass-form" onSubmit={start}>
          <label>
            Pass{' '}
            <select aria-label="Pass" value={pass} onChange={(e) => setPass(e.target.value as 'pre' | 'final')} disabled={anyRunning}>
              <option value="pre">Pre-migration (older mail)</option>
              <option value="final">Final (everything left, flag changes)</option>
            </select>
          </label>
          {pass === 'pre' && (
            <label>
              older than <input aria-label="Older than" size={5} value={olderThan} onChange={(e) => setOlderThan(e.target.value)} disabled={anyRunning} />
            </label>
          )}
          <label>
            mailboxes at a time <input aria-label="Concurrency" type="number" min={1} max={32} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} disabled={anyRunning} />
          </label>
          {anyRunning ? (
            <button type="button" className="danger" onClick={() => act('stop', () => mail.stop(project.name))}>Stop</button>
          ) : (
            <button type="submit" className="primary" disabled={!!busy || rows.length === 0}>
              {rows.some((m) => m.pass?.state === 'stopped' || m.pass?.state === 'failed') ? 'Resume' : 'Start'} {pass} pass
            </button>
          )}
          <span className="muted">The source is only read; a stopped pass resumes where it was, without duplicates.</span>
        </form>
        {totals && totals.messagesTotal > 0 && (
          <div className="totals" data-testid="totals">
            <Progress done={totals.bytesTotal > 0 ? totals.bytesDone : totals.messagesDone} total={totals.bytesTotal > 0 ? totals.bytesTotal : totals.messagesTotal}
              label={`${totals.messagesDone} / ${totals.messagesTotal} messages · ${fmtBytes(totals.bytesDone)} / ${fmtBytes(totals.bytesTotal)}${anyRunning ? ` · ${totals.rate.toFixed(0)} msg/s · ETA ${fmtEta(totals.etaSeconds)}` : ''}`} />
          </div>
        )}
        <ErrorBox error={error} />
        <DataTable rows={rows} columns={columns} rowKey={(m) => m.entry.sourceLogin} testId="mailboxes"
          rowClass={(m) => (m.entry.sourceLogin === selected ? 'selected' : undefined)}
          empty="The batch is empty: add mailboxes on the People page or with `cutover batch set`." filterPlaceholder="Filter mailboxes…" />
        <Failures rows={rows} />
        <PIMRefusals runs={pimRuns} />
      </div>
      {checks && <Verification checks={checks} />}
      <PIMFiles project={project.name} logins={rows.map((m) => m.entry.sourceLogin)} />
      {selected && <FolderView project={project} login={selected} onClose={() => setSelected('')} />}
      <Sweeps project={project} />
      <AdminAccess project={project} />
    </div>
  )
}

/** What the last contacts/calendars passes refused, or copied without something, per item. */
function PIMRefusals({ runs }: { runs: PIMRun[] }) {
  const list = runs.flatMap((r) => [
    ...(r.failures ?? []).map((f) => ({ ...f, login: r.sourceLogin, what: 'refused' })),
    ...(r.notes ?? []).map((f) => ({ ...f, login: r.sourceLogin, what: 'copied without' })),
  ])
  const errors = runs.filter((r) => r.error)
  if (list.length === 0 && errors.length === 0) return null
  return (
    <div data-testid="pim-refusals">
      <h3>Contacts, calendars and tasks not copied as they are</h3>
      {errors.map((r) => <p key={r.sourceLogin} className="bad-text">{r.sourceLogin}: {r.error}</p>)}
      {list.length > 0 && (
        <table className="data">
          <thead><tr><th>Mailbox</th><th>Collection</th><th>Kind</th><th>Item</th><th></th><th>Why</th></tr></thead>
          <tbody>
            {list.map((f, i) => (
              <tr key={i}>
                <td>{f.login}</td><td>{f.name || f.collection}</td><td>{f.kind}</td><td>{f.summary}</td><td>{f.what}</td><td className="bad-text">{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function Failures({ rows }: { rows: MailboxState[] }) {
  const list = rows.flatMap((m) => (m.pass?.failures ?? []).map((f) => ({ ...f, login: m.entry.sourceLogin })))
  if (list.length === 0) return null
  return (
    <div className="failures" data-testid="failures">
      <h3>Messages the destination refused</h3>
      <table className="data">
        <thead><tr><th>Mailbox</th><th>Folder</th><th>UID</th><th>Subject</th><th>Size</th><th>Reason</th></tr></thead>
        <tbody>
          {list.map((f) => (
            <tr key={`${f.login}/${f.folder}/${f.uid}`}>
              <td>{f.login}</td><td>{f.folder}</td><td>{f.uid}</td><td>{f.subject}</td><td>{fmtBytes(f.size)}</td><td className="bad-text">{f.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Verification({ checks }: { checks: MailboxCheck[] }) {
  return (
    <div className="card" data-testid="verification">
      <h2>Verification</h2>
      {checks.map((c) => (
        <div key={c.sourceLogin} className="verify-box">
          <h3>
            {c.sourceLogin}: <span className={c.complete ? 'good-text' : 'bad-text'}>{c.complete ? 'complete' : `${c.missing} missing`}</span>
          </h3>
          {c.error && <div className="error">{c.error}</div>}
          <table className="data">
            <thead><tr><th>Source folder</th><th style={{ textAlign: 'right' }}>Messages</th><th>Destination folder</th><th style={{ textAlign: 'right' }}>Messages</th><th>Missing</th></tr></thead>
            <tbody>
              {c.folders.map((f) => (
                <tr key={f.source} className={f.missing.length ? 'bad' : undefined}>
                  <td>{f.source}</td><td style={{ textAlign: 'right' }}>{f.sourceMessages}</td><td>{f.dest}</td><td style={{ textAlign: 'right' }}>{f.destMessages}</td>
                  <td>{f.missing.length === 0 ? '–' : f.missing.slice(0, 5).map((m) => `UID ${m.uid} “${m.subject}”`).join(', ') + (f.missing.length > 5 ? ` and ${f.missing.length - 5} more` : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  )
}

/** One mailbox's folder tree (stored analysis) and its mapping to the destination (live). */
function FolderView({ project, login, onClose }: { project: Project; login: string; onClose: () => void }) {
  const [folders, setFolders] = useState<MailFolder[]>([])
  const [plan, setPlan] = useState<FolderPlan | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [rule, setRule] = useState({ pattern: '', action: 'exclude', target: '' })
  const [estimate, setEstimate] = useState<PrePassEstimate | null>(null)
  const load = useCallback(() => {
    call<MailFolder[]>('MailFolders', project.name, login).then((f) => setFolders(f ?? []), setError)
    call<Record<string, PrePassEstimate>>('MailEstimates', project.name).then((e) => setEstimate(e?.[login] ?? null), setError)
  }, [project.name, login])
  const loadPlan = useCallback(() => {
    setError(null)
    call<FolderPlan>('MailPlan', project.name, login).then(setPlan, setError)
  }, [project.name, login])
  const analyzed = useMailAnalyzed(project.name)
  useEffect(() => {
    load()
  }, [load, analyzed])
  useEffect(() => setPlan(null), [load])

  async function addRule(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('MailRuleAdd', project.name, { sourceLogin: login, ...rule })
      setRule({ pattern: '', action: 'exclude', target: '' })
      loadPlan()
    } catch (err) {
      setError(err)
    }
  }

  const copied = folders.filter((f) => !f.excluded)
  const total = copied.reduce((a, f) => ({ m: a.m + f.messages, b: a.b + f.bytes, p: a.p + f.preMessages, t: a.t + f.todoMessages }), { m: 0, b: 0, p: 0, t: 0 })
  const tooLarge = copied.flatMap((f) => (f.tooLarge ?? []).map((m) => ({ ...m, folder: f.label ? `${f.folder} (label ${f.label})` : f.folder })))
  return (
    <div className="card" data-testid="folders">
      <div className="card-head">
        <h2>
          Folders of {login}
          {folders.length > 0 && <span className="muted"> · analysed {fmtDate(folders[0].analyzedAt, project.tz)}</span>}
        </h2>
        <div className="row-actions">
          <button onClick={loadPlan}>Show mapping</button>
          <button onClick={onClose} aria-label="Close folders">Close</button>
        </div>
      </div>
      <ErrorBox error={error} />
      {folders.length === 0 ? (
        <p className="muted">Not analysed yet: use “Analyse folders” above.</p>
      ) : (
        <table className="data folder-tree">
          <thead>
            <tr><th>Folder</th><th>Use</th><th style={{ textAlign: 'right' }}>Messages</th><th style={{ textAlign: 'right' }}>Size</th><th>Oldest</th><th>Newest</th>
              <th style={{ textAlign: 'right' }}>Pre pass</th><th style={{ textAlign: 'right' }}>Final pass</th><th>→ Destination</th></tr>
          </thead>
          <tbody>
            {folders.map((f) => {
              const parts = f.delim ? f.folder.split(f.delim) : [f.folder]
              return (
                <tr key={f.folder + '\u0000' + (f.label ?? '')} data-folder={f.folder} data-label={f.label || undefined} className={f.excluded ? 'muted' : undefined}>
                  <td style={{ paddingLeft: `${8 + 16 * (parts.length - 1)}px` }}>{parts[parts.length - 1]}{f.label ? <span className="badge" title="Gmail: the messages of All Mail with this label">label {f.label}</span> : null}</td>
                  <td>{f.specialUse}</td>
                  <td style={{ textAlign: 'right' }}>{f.messages}</td>
                  <td style={{ textAlign: 'right' }}>{fmtBytes(f.bytes)}</td>
                  <td>{fmtDate(f.oldest, project.tz, false)}</td>
                  <td>{fmtDate(f.newest, project.tz, false)}</td>
                  <td style={{ textAlign: 'right' }}>{f.preMessages}</td>
                  <td style={{ textAlign: 'right' }}>{f.todoMessages}</td>
                  <td>{f.excluded ? <i>not copied</i> : f.dest} <span className="muted">{f.reason}</span></td>
                </tr>
              )
            })}
            <tr className="total-row">
              <td>Total copied</td><td /><td style={{ textAlign: 'right' }}>{total.m}</td><td style={{ textAlign: 'right' }}>{fmtBytes(total.b)}</td><td /><td />
              <td style={{ textAlign: 'right' }}>{total.p}</td><td style={{ textAlign: 'right' }}>{total.t}</td><td />
            </tr>
          </tbody>
        </table>
      )}
      {estimate && folders.length > 0 && (
        <p data-testid="estimate">
          Pre pass: {estimate.messages} messages, {fmtBytes(estimate.bytes)};{' '}
          {estimate.seconds > 0 ? <>at least <b>{fmtDuration(estimate.seconds)}</b> under {estimate.why}</> : 'no provider limit holds it back (the network sets the pace)'}.
        </p>
      )}
      {tooLarge.length > 0 && (
        <div className="too-large" data-testid="too-large">
          <h3>Too large for the destination ({tooLarge.length})</h3>
          <p className="muted">The passes report these without sending them: move them by hand, or raise the destination's limit.</p>
          <table className="data">
            <thead><tr><th>Folder</th><th>Subject</th><th style={{ textAlign: 'right' }}>Size</th><th style={{ textAlign: 'right' }}>Limit</th><th>Date</th></tr></thead>
            <tbody>
              {tooLarge.map((m) => (
                <tr key={m.folder + m.uid}><td>{m.folder}</td><td>{m.subject}</td><td style={{ textAlign: 'right' }}>{fmtBytes(m.size)}</td>
                  <td style={{ textAlign: 'right' }}>{fmtBytes(m.limit)}</td><td>{fmtDate(m.date, project.tz, false)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {plan && (
        <div className="plan" data-testid="mapping">
          <h3>Mapping</h3>
          <table className="data">
            <thead><tr><th>Source folder</th><th>Destination folder</th><th>Why</th></tr></thead>
            <tbody>
              {plan.mapping.map((m) => (
                <tr key={m.source + '\u0000' + (m.label ?? '')} data-source={m.source} data-label={m.label || undefined} className={m.excluded ? 'muted' : m.mergedWith?.length ? 'warn' : undefined}>
                  <td>{m.source}{m.label ? <> <span className="badge">label {m.label}</span></> : null}</td>
                  <td>{m.excluded ? <i>not copied</i> : m.dest}{!m.excluded && !m.exists ? <span className="muted"> (new)</span> : null}
                    {m.mergedWith?.length ? <> <span className="badge state-partial" title={`merged with ${m.mergedWith.join(', ')} by rule ${(m.mergeRules ?? []).join(', ')}`}>merged</span></> : null}
                    {m.keptApartFrom ? <> <span className="badge" title={`not merged with ${m.keptApartFrom}`}>kept apart</span></> : null}</td>
                  <td>{m.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form className="rule-form" onSubmit={addRule}>
            <input aria-label="Folder pattern" placeholder="Folder or pattern, e.g. Archive/*" value={rule.pattern} onChange={(e) => setRule({ ...rule, pattern: e.target.value })} />
            <select aria-label="Rule action" value={rule.action} onChange={(e) => setRule({ ...rule, action: e.target.value })}>
              <option value="exclude">exclude</option>
              <option value="rename">rename to</option>
            </select>
            {rule.action === 'rename' && <input aria-label="Rename target" placeholder="New name" value={rule.target} onChange={(e) => setRule({ ...rule, target: e.target.value })} />}
            <button type="submit">Add rule</button>
          </form>
        </div>
      )}
    </div>
  )
}

interface MailAdmin {
  side: 'source' | 'dest'
  login: string
  mode: string
}

/** Administrator access per server: mailboxes without their own password are opened on the user's behalf. */
function AdminAccess({ project }: { project: Project }) {
  const [admins, setAdmins] = useState<MailAdmin[]>([])
  const [form, setForm] = useState({ side: 'source', login: '', mode: 'plain-authzid', password: '' })
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState('')
  const load = useCallback(
    () => call<MailAdmin[]>('MailAdmins', project.name).then((a) => setAdmins(a ?? []), setError),
    [project.name],
  )
  useEffect(() => {
    load()
  }, [load])
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved('')
    try {
      await call('MailAdminSet', project.name, form)
      setForm({ ...form, password: '' })
      await load() // the list shows the saved administrator before the page says so
      setSaved(`${form.side === 'source' ? 'Source' : 'Destination'} administrator saved.`)
    } catch (err) {
      setError(err)
    }
  }
  return (
    <div className="card" data-testid="admins">
      <h2>Administrator access</h2>
      <p className="muted">
        Mailboxes of the batch without their own password are opened as an administrator on the user's behalf: AUTHENTICATE PLAIN with an
        authorization identity, or Dovecot's user*admin login. Passwords are sealed and never shown.
      </p>
      {admins.length > 0 && (
        <ul>
          {admins.map((a) => (
            <li key={a.side}>
              <b>{a.side === 'source' ? 'Source' : 'Destination'}</b>: {a.login} ({a.mode})
            </li>
          ))}
        </ul>
      )}
      <form className="rule-form" onSubmit={save}>
        <select aria-label="Server" value={form.side} onChange={(e) => setForm({ ...form, side: e.target.value })}>
          <option value="source">source server</option>
          <option value="dest">destination server</option>
        </select>
        <input aria-label="Administrator login" placeholder="Administrator login" value={form.login} onChange={(e) => setForm({ ...form, login: e.target.value })} />
        <select aria-label="Login form" value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value })}>
          <option value="plain-authzid">PLAIN with authorization identity</option>
          <option value="dovecot-master">Dovecot master user (user*admin)</option>
        </select>
        <input aria-label="Administrator password" type="password" placeholder="Password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <button type="submit">Save</button>
      </form>
      {saved && <p className="good-text">{saved}</p>}
      <ErrorBox error={error} />
    </div>
  )
}
