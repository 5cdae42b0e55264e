import { useEffect, useState } from 'react'
import { onEvent } from '../api/client'

interface Notice {
  id: number
  text: string
  bad: boolean
}

interface PassDone {
  pass: string
  mailboxes: number
  copied: number
  failed: number
  errors: number
  stopped: boolean
}

interface SweepRun {
  copied: number
  failed: number
  errors: number
  error?: string
}

let next = 1

/** Says when a pass or a sweep ends, fails or finds mail: a line in the app and, where the user allowed it, a desktop notification. */
export function Notices() {
  const [notices, setNotices] = useState<Notice[]>([])
  const [allowed, setAllowed] = useState(() => typeof Notification !== 'undefined' && Notification.permission === 'granted')

  useEffect(() => {
    const add = (text: string, bad: boolean) => {
      setNotices((n) => [{ id: next++, text, bad }, ...n].slice(0, 3))
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        try {
          new Notification('Cutover', { body: text })
        } catch {
          // a window without notifications: the line in the app is enough
        }
      }
    }
    const offs = [
      onEvent<PassDone>('pass:done', (ev) => {
        const d = ev.data
        const what = `${ev.project}: ${d.pass} pass ${d.stopped ? 'stopped' : d.errors ? 'ended with errors' : 'done'}`
        add(`${what} — ${d.copied} copied${d.failed ? `, ${d.failed} refused` : ''}${d.errors ? `, ${d.errors} mailboxes failed` : ''}`, d.errors > 0 || d.failed > 0)
      }),
      onEvent<SweepRun>('sweep:done', (ev) => {
        const r = ev.data
        if (r.error) add(`${ev.project}: sweep failed — ${r.error}`, true)
        else if (r.copied > 0 || r.failed > 0) add(`${ev.project}: sweep found ${r.copied} new message${r.copied === 1 ? '' : 's'}${r.failed ? `, ${r.failed} refused` : ''}`, r.failed > 0)
      }),
      onEvent<{ kind: string; state: string; error?: string }>('dns:scheduled-done', (ev) => {
        const d = ev.data
        add(`${ev.project}: scheduled DNS ${d.kind} ${d.state}${d.error ? ` — ${d.error}` : ''}`, d.state !== 'applied')
      }),
    ]
    return () => offs.forEach((off) => off())
  }, [])

  return (
    <div className="notices" data-testid="notices" aria-live="polite">
      {notices.map((n) => (
        <span key={n.id} className={n.bad ? 'notice bad-text' : 'notice'}>
          {n.text}
          <button className="link" aria-label="Dismiss" onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>×</button>
        </span>
      ))}
      {!allowed && typeof Notification !== 'undefined' && Notification.permission === 'default' && (
        <button className="link muted" onClick={() => Notification.requestPermission().then((p) => setAllowed(p === 'granted'))}>desktop notifications</button>
      )}
    </div>
  )
}
