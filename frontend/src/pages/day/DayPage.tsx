import { useCallback, useEffect, useState } from 'react'
import { call, onEvent } from '../../api/client'
import { Project } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox } from '../../components/ErrorBox'
import { Progress } from '../../components/Progress'
import { MailboxState, PassTotals } from '../../api/mail'

interface DayRecord {
  purpose: string
  name: string
  type: string
  verdict: string
  summary: string
  seen: number
  asked: number
  lingering?: string[]
}

interface CutoverDay {
  now: string
  windowStart: string
  windowEnd: string
  dns: { at: string; ok: boolean; records: DayRecord[] } | null
  mailboxes: MailboxState[]
  totals: PassTotals
  sweeps: { active: boolean; text: string }
  messages: { id: number; step?: string; at: string; channel: string; summary: string }[]
  left: { key: string; title: string; due: string; owner: string; status: string; overdue: boolean }[]
}

/** The cutover day at a glance: the page the specialist keeps open on the day. It reloads on every event of the project. */
export function DayPage({ project }: { project: Project }) {
  const [day, setDay] = useState<CutoverDay | null>(null)
  const [error, setError] = useState<unknown>(null)
  const load = useCallback(() => call<CutoverDay>('CutoverDay', project.name).then(setDay, setError), [project.name])
  useEffect(() => {
    load()
    const offs = ['copy:done', 'sweep:changed', 'sweep:done', 'dns:checked', 'timeline:changed', 'timeline:contact'].map((e) =>
      onEvent(e, (ev) => ev.project === project.name && load()),
    )
    return () => offs.forEach((off) => off())
  }, [load, project.name])

  if (!day) return <ErrorBox error={error} />
  const now = new Date(day.now).getTime()
  const inWindow = now >= new Date(day.windowStart).getTime() && now <= new Date(day.windowEnd).getTime()
  const finals = day.mailboxes.filter((m) => m.pass?.kind === 'final')
  return (
    <div className="stack" data-testid="cutover-day">
      <ErrorBox error={error} />
      <div className="card">
        <h2>Switch window</h2>
        <p data-testid="day-window">
          {fmtDate(day.windowStart, project.tz)} – {fmtDate(day.windowEnd, project.tz)}{' '}
          {inWindow ? <span className="badge state-running">now</span> : null}
        </p>
      </div>
      <div className="card" data-testid="day-dns">
        <h2>DNS after the switch</h2>
        {!day.dns ? (
          <p className="muted">No check after the switch yet: run one on the DNS page.</p>
        ) : (
          <table className="data">
            <thead><tr><th>Record</th><th>Verdict</th><th style={{ textAlign: 'right' }}>Resolvers</th><th>Old values still answered</th></tr></thead>
            <tbody>
              {day.dns.records.map((r) => (
                <tr key={r.type + r.name + r.purpose}><td>{r.purpose || r.type} <span className="muted">{r.name}</span></td><td>{r.summary || r.verdict}</td>
                  <td style={{ textAlign: 'right' }}>{r.seen}/{r.asked}</td><td className="muted small">{(r.lingering ?? []).join('; ')}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        {day.dns && <p className="muted small">checked {fmtDate(day.dns.at, project.tz)}</p>}
      </div>
      <div className="card" data-testid="day-final">
        <h2>Final pass</h2>
        {finals.length === 0 ? <p className="muted">The final pass has not started.</p> : (
          <>
            <Progress done={day.totals.messagesDone} total={day.totals.messagesTotal} label={`${day.totals.messagesDone} / ${day.totals.messagesTotal} messages`} />
            <table className="data">
              <tbody>
                {finals.map((m) => (
                  <tr key={m.entry.sourceLogin}><td>{m.entry.sourceLogin}</td><td>{m.pass!.state}</td>
                    <td style={{ textAlign: 'right' }}>{m.pass!.messagesDone} / {m.pass!.messagesTotal}</td>
                    <td className={m.pass!.failed || m.pass!.error ? 'bad-text' : 'muted'}>{m.pass!.failed ? `${m.pass!.failed} refused` : ''} {m.pass!.error}</td></tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <p data-testid="day-sweeps">{day.sweeps.text}</p>
      </div>
      <div className="card" data-testid="day-messages">
        <h2>Messages to the customer</h2>
        {day.messages.length === 0 ? <p className="muted">None logged on the cutover or after it yet.</p> : (
          <ul>{day.messages.map((m) => <li key={m.id}>{fmtDate(m.at, project.tz)} · {m.channel} · {m.summary}</li>)}</ul>
        )}
      </div>
      <div className="card" data-testid="day-left">
        <h2>What is left</h2>
        {day.left.length === 0 ? <p>Nothing: every step of the day is done.</p> : (
          <table className="data">
            <tbody>
              {day.left.map((s) => (
                <tr key={s.key} className={s.overdue ? 'overdue' : undefined}><td><b>{s.title}</b></td><td>{s.owner}</td><td>due {fmtDate(s.due, project.tz)}</td>
                  <td>{s.overdue ? <span className="bad-text">overdue</span> : s.status.replace('_', ' ')}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  )
}
