import { useCallback, useEffect, useState } from 'react'
import { call, onEvent } from '../../api/client'
import { Project } from '../../api/types'
import { fmtDate } from '../../api/format'
import { ErrorBox } from '../../components/ErrorBox'

interface SweepRun {
  id: number
  startedAt: string
  finishedAt: string
  copied: number
  failed: number
  errors: number
  error?: string
}

interface SweepStatus {
  active: boolean
  started: boolean
  switchAt: string
  until: string
  untilWhy: string
  next: string
  runs: SweepRun[]
  text: string
}

/** Sweeps after the switch: the final pass again on a schedule, while mail still lands at the old host. */
export function Sweeps({ project }: { project: Project }) {
  const [st, setSt] = useState<SweepStatus | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const load = useCallback(() => {
    call<SweepStatus>('SweepStatus', project.name).then(setSt, setError)
  }, [project.name])
  useEffect(() => {
    load()
    const offs = ['sweep:changed', 'sweep:started', 'sweep:done'].map((e) => onEvent(e, (ev) => ev.project === project.name && load()))
    return () => offs.forEach((off) => off())
  }, [load, project.name])

  async function act(method: 'SweepStart' | 'SweepStop') {
    setBusy(true)
    setError(null)
    try {
      setSt(await call<SweepStatus>(method, project.name, ...(method === 'SweepStart' ? [{ until: '' }] : [])))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  if (!st) return null
  return (
    <div className="card" data-testid="sweeps">
      <div className="card-head">
        <h2>Sweeps</h2>
        <div className="row-actions">
          {st.active ? (
            <button disabled={busy} onClick={() => act('SweepStop')}>Stop sweeps</button>
          ) : (
            <button disabled={busy} onClick={() => act('SweepStart')}>Start sweeps</button>
          )}
        </div>
      </div>
      <ErrorBox error={error} />
      <p data-testid="sweep-text">{st.text}</p>
      {st.started && (
        <p className="muted">
          After the final pass, the final pass runs again every 30 minutes for 12 hours after the switch ({fmtDate(st.switchAt, project.tz)}), then every 4 hours,
          until {fmtDate(st.until, project.tz)} ({st.untilWhy}). {st.active && st.next ? <>Next sweep {fmtDate(st.next, project.tz)}; they run while Cutover is open.</> : null}
        </p>
      )}
      {st.runs.length > 0 && (
        <table className="data">
          <thead><tr><th>Sweep</th><th style={{ textAlign: 'right' }}>New messages</th><th style={{ textAlign: 'right' }}>Refused</th><th>Problems</th></tr></thead>
          <tbody>
            {st.runs.slice(0, 10).map((r) => (
              <tr key={r.id}><td>{fmtDate(r.startedAt, project.tz)}</td><td style={{ textAlign: 'right' }}>{r.finishedAt ? r.copied : 'running'}</td>
                <td style={{ textAlign: 'right' }}>{r.failed}</td><td className={r.error ? 'bad-text' : 'muted'}>{r.error || (r.errors ? `${r.errors} mailboxes failed` : 'none')}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
