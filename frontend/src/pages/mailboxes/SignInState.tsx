import { useCallback, useEffect, useState } from 'react'
import { call } from '../../api/client'
import { signInChanges } from '../../stores/domains'
import { Project } from '../../api/types'
import { fmtDate } from '../../api/format'
import { go } from '../../router'
import { SignInSideStatus, methodTitles, stateTitles } from '../project/SignInSettings'

/** Per-mailbox sign-in state of the sides that log in with OAuth 2.0 tokens (nothing for
 * password sides); signing in happens in the project's Settings. */
export function SignInState({ project }: { project: Project }) {
  const [status, setStatus] = useState<SignInSideStatus[]>([])
  const load = useCallback(() => {
    call<SignInSideStatus[]>('SignInStatus', project.name).then(setStatus, () => setStatus([]))
  }, [project.name])
  const changes = signInChanges.use(project.name)
  useEffect(load, [load, changes])
  const sides = status.filter((s) => s.method !== 'password')
  if (sides.length === 0) return null
  return (
    <div className="card" data-testid="signin-state">
      <div className="card-head">
        <h2>Sign-in</h2>
        <div className="row-actions">
          <button onClick={() => go({ project: project.name, tab: 'settings' })}>Sign in…</button>
        </div>
      </div>
      {sides.map((s) => (
        <div key={s.side}>
          <h3>
            {s.side === 'dest' ? 'Destination' : 'Source'}: {methodTitles[s.method] ?? s.method}
          </h3>
          <table className="data">
            <tbody>
              {s.mailboxes.map((m) => (
                <tr key={m.mailbox} className={m.state === 'not-signed-in' || m.state === 'expired' ? 'warn' : ''}>
                  <td>{m.mailbox}</td>
                  <td>
                    <span className={`badge signin-${m.state}`}>{stateTitles[m.state]}</span>
                  </td>
                  <td className="muted">{m.expiry ? `token until ${fmtDate(m.expiry, project.tz)}${m.refreshable ? ', renewed by itself' : ''}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  )
}
