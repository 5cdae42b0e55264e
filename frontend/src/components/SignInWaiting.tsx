import { openExternal } from '../api/client'

/** A sign-in under way (api.SignInTicket), as SignInStart and SpecialistSignInStart return it. */
export interface SignInTicket {
  handle: string
  side: string
  mailbox: string
  mode: string
  userCode?: string
  verificationUri?: string
  authUrl?: string
  expiry?: string
}

/** What the person does while a sign-in waits: the device code and the URL to type it at,
 * or the browser tab to finish in. testIdPrefix tells two of them apart on one page. */
export function SignInWaiting({ ticket, testIdPrefix = '' }: { ticket: SignInTicket | null; testIdPrefix?: string }) {
  if (ticket?.userCode) {
    return (
      <div className="signin-code" data-testid={`${testIdPrefix}device-code`}>
        To sign in as <b>{ticket.mailbox}</b>, open{' '}
        <a href={ticket.verificationUri} onClick={(e) => (e.preventDefault(), openExternal(ticket.verificationUri!))} data-testid={`${testIdPrefix}verification-uri`}>
          {ticket.verificationUri}
        </a>{' '}
        and enter the code <code data-testid={`${testIdPrefix}user-code`}>{ticket.userCode}</code>. Waiting…
      </div>
    )
  }
  if (ticket?.authUrl) {
    return (
      <div className="signin-code">
        Sign in as <b>{ticket.mailbox}</b> in the browser tab that opened (or{' '}
        <a href={ticket.authUrl} target="_blank" rel="noreferrer">
          open it again
        </a>
        ). Waiting…
      </div>
    )
  }
  return null
}
