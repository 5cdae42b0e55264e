import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react'
import { call, saveFile, BackendFile } from '../../api/client'
import { ContactEntry, Phase, Project, Status, Step, Timeline, phaseTitles } from '../../api/types'
import { fmtDate, relDays } from '../../api/format'
import { ErrorBox } from '../../components/ErrorBox'
import { EvidenceNote, useDnsEvidence } from '../dns/Evidence'
import { timelineChanges } from '../../stores/domains'

const phases: Phase[] = ['preparation', 'pre_migration', 'cutover', 'post_migration']
const statusTitles: Record<Status, string> = { todo: 'To do', in_progress: 'In progress', done: 'Done', blocked: 'Blocked', skipped: 'Skipped' }

/** The project's migration timeline: phases on a date axis, then the steps with their actions and the contact log. */
export function TimelinePage({ project }: { project: Project }) {
  const [tl, setTl] = useState<Timeline | null>(null)
  const [contacts, setContacts] = useState<ContactEntry[]>([])
  const [error, setError] = useState<unknown>(null)
  const dns = useDnsEvidence(project.name)
  const changes = timelineChanges.use(project.name)
  const load = useCallback(() => {
    call<Timeline>('Timeline', project.name).then(setTl, setError)
    call<ContactEntry[]>('ContactLog', project.name).then((c) => setContacts(c ?? []), setError)
  }, [project.name, project.cutover])
  useEffect(load, [load, changes])

  async function setStatus(step: Step, status: Status) {
    setError(null)
    try {
      await call('SetStep', project.name, step.key, status, '')
      load()
    } catch (e) {
      setError(e)
    }
  }

  if (!tl) return <ErrorBox error={error} />
  return (
    <div className="stack">
      <div className="card">
        <div className="card-head">
          <h2>Timeline</h2>
          <button onClick={() => call<BackendFile>('TimelineICS', project.name).then(saveFile, setError)} title="Add the steps to your calendar">
            Download calendar (.ics)
          </button>
        </div>
        <Axis tl={tl} />
      </div>
      <ErrorBox error={error} />
      <div className="phases">
        {phases.map((ph) => (
          <div key={ph} className={`phase phase-${ph}`} data-testid={`phase-${ph}`}>
            <h3>{phaseTitles[ph]}</h3>
            <table className="steps">
              <tbody>
                {tl.steps
                  .filter((s) => s.phase === ph)
                  .map((s) => (
                    <tr key={s.key} className={`step status-${s.status}${s.overdue ? ' overdue-row' : ''}`} data-step={s.key}>
                      <td className="st">
                        <span className={`dot ${s.status}`} title={statusTitles[s.status]} />
                      </td>
                      <td>
                        <div className="title" title={s.detail}>
                          {s.title}
                        </div>
                        <div className="muted small">
                          {s.when}
                          {s.note ? <> · note: {s.note}</> : null}
                          {s.status !== 'todo' && s.by ? <> · {statusTitles[s.status].toLowerCase()} by {s.by} {fmtDate(s.at, tl.tz)}</> : null}
                        </div>
                        <PackLinks project={project.name} step={s.key} />
                        {dns.evidence[s.key] && <EvidenceNote project={project.name} ev={dns.evidence[s.key]} tz={tl.tz} onMarked={load} onError={setError} />}
                      </td>
                      <td className={`owner owner-${s.owner}`}>{s.owner}</td>
                      <td className="due">
                        <div>{fmtDate(s.due, tl.tz)}</div>
                        <div className={`small ${s.overdue ? 'overdue' : 'muted'}`}>{s.overdue ? 'overdue' : relDays(s.due, tl.now)}</div>
                      </td>
                      <td className="actions">
                        {s.status !== 'done' && (
                          <button onClick={() => setStatus(s, 'done')} aria-label={`Mark ${s.title} done`}>
                            Done
                          </button>
                        )}
                        {s.status === 'todo' && <button onClick={() => setStatus(s, 'in_progress')}>Start</button>}
                        {!['skipped', 'done'].includes(s.status) && <button onClick={() => setStatus(s, 'skipped')}>Skip</button>}
                        {s.status !== 'todo' && <button onClick={() => setStatus(s, 'todo')}>Reopen</button>}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
      <Contacts project={project} steps={tl.steps} contacts={contacts} onAdded={load} />
    </div>
  )
}

/** The steps placed on a date axis, phases as bands, today marked. */
function Axis({ tl }: { tl: Timeline }) {
  const { min, max } = useMemo(() => {
    const ts = tl.steps.map((s) => new Date(s.due).getTime())
    const pad = 86400000
    return { min: Math.min(...ts) - pad, max: Math.max(...ts) + pad }
  }, [tl])
  const x = (iso: string) => `${(100 * (new Date(iso).getTime() - min)) / (max - min)}%`
  const now = new Date(tl.now).getTime()
  const ticks = useMemo(() => {
    const out: string[] = []
    const d = new Date(min)
    d.setUTCHours(12, 0, 0, 0)
    const span = (max - min) / 86400000
    const every = span > 40 ? 7 : span > 20 ? 3 : 1
    for (let t = d.getTime(); t < max; t += every * 86400000) out.push(new Date(t).toISOString())
    return out
  }, [min, max])
  return (
    <div className="axis" aria-label="Timeline on a date axis">
      {phases.map((ph) => {
        const ss = tl.steps.filter((s) => s.phase === ph)
        if (ss.length === 0) return null
        const a = ss.map((s) => s.due).sort()[0]
        const b = ss.map((s) => s.due).sort().slice(-1)[0]
        return (
          <div key={ph} className={`band phase-${ph}`} style={{ left: x(a), width: `calc(${x(b)} - ${x(a)} + 10px)` }}>
            <span>{phaseTitles[ph]}</span>
          </div>
        )
      })}
      {tl.steps.map((s) => (
        <div
          key={s.key}
          className={`marker ${s.status}${s.overdue ? ' late' : ''} owner-${s.owner}`}
          style={{ left: x(s.due) }}
          title={`${s.title} — ${fmtDate(s.due, tl.tz)} (${s.owner}, ${statusTitles[s.status]})`}
        />
      ))}
      {now >= min && now <= max && (
        <div className="today" style={{ left: x(tl.now) }}>
          <span>today</span>
        </div>
      )}
      <div className="cutover-line" style={{ left: x(tl.cutover) }}>
        <span>cutover</span>
      </div>
      <div className="ticks">
        {ticks.map((t) => (
          <span key={t} style={{ left: x(t) }}>
            {new Intl.DateTimeFormat('en-CA', { timeZone: tl.tz, month: 'short', day: 'numeric' }).format(new Date(t))}
          </span>
        ))}
      </div>
    </div>
  )
}

function Contacts({ project, steps, contacts, onAdded }: { project: Project; steps: Step[]; contacts: ContactEntry[]; onAdded: () => void }) {
  const [channel, setChannel] = useState('phone')
  const [step, setStep] = useState('')
  const [summary, setSummary] = useState('')
  const [error, setError] = useState<unknown>(null)
  const contactSteps = steps.filter((s) => s.contact)
  async function add(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('AddContact', project.name, { channel, step, summary, at: '' })
      setSummary('')
      onAdded()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <div className="card">
      <h2>Contact log</h2>
      <form className="row" onSubmit={add}>
        <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
          <option value="phone">Phone</option>
          <option value="email">E-mail</option>
          <option value="meeting">Meeting</option>
          <option value="other">Other</option>
        </select>
        <select value={step} onChange={(e) => setStep(e.target.value)} aria-label="Step">
          <option value="">(no step)</option>
          {contactSteps.map((s) => (
            <option key={s.key} value={s.key}>
              {s.title}
            </option>
          ))}
        </select>
        <input className="grow" value={summary} onChange={(e) => setSummary(e.target.value)} placeholder="What was said" aria-label="Summary" />
        <button type="submit">Add contact</button>
      </form>
      <ErrorBox error={error} />
      <table className="data">
        <tbody>
          {contacts.length === 0 && (
            <tr>
              <td className="muted">No contact logged yet.</td>
            </tr>
          )}
          {contacts
            .slice()
            .reverse()
            .map((c) => (
              <tr key={c.id}>
                <td className="nowrap">{fmtDate(c.at, project.tz)}</td>
                <td>{c.channel}</td>
                <td className="muted">{steps.find((s) => s.key === c.step)?.title ?? ''}</td>
                <td>{c.summary}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  )
}

/** The customer pack's documents and messages that belong to each step (api documentSteps, messages.Kinds). */
const packByStep: Record<string, { item: string; title: string }[]> = {
  access_accounts: [{ item: 'tasks', title: 'Preparation tasks' }],
  pre_contact: [
    { item: 'pre_contact', title: 'Message' },
    { item: 'limitations', title: 'Limitations' },
  ],
  confirm_contact: [
    { item: 'confirm_contact', title: 'Message' },
    { item: 'guide', title: 'User guide' },
  ],
  dns_change: [{ item: 'cutover_start', title: 'Start message' }],
  final_migration: [
    { item: 'progress', title: 'Progress message' },
    { item: 'copy_complete', title: 'Copy-complete message' },
    { item: 'report-progress', title: 'Progress report' },
  ],
  followup_contact: [
    { item: 'followup_contact', title: 'Message' },
    { item: 'report-verify', title: 'Verification report' },
  ],
  close_case: [{ item: 'report-close', title: 'Closing report' }],
}

function PackLinks({ project, step }: { project: string; step: string }) {
  const links = packByStep[step]
  if (!links) return null
  return (
    <div className="small pack-links">
      Customer pack:{' '}
      {links.map((l, i) => (
        <span key={l.item}>
          {i > 0 && ' · '}
          <a href={`#/p/${encodeURIComponent(project)}/customer/${l.item}`} data-pack={l.item}>
            {l.title}
          </a>
        </span>
      ))}
    </div>
  )
}
