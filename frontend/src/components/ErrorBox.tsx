import type { ReactNode } from 'react'
import { ApiError, type FieldError } from '../api/client'

/** One problem of a list, its field in bold: "tz: “Mars/Olympus”: expected an IANA time zone". */
function line(f: FieldError): ReactNode {
  const text = f.message || `${f.field}: ${f.value ? `“${f.value}”: expected ` : ''}${f.expected}`
  if (f.field && text.startsWith(f.field)) {
    return (
      <>
        <b>{f.field}</b>
        {text.slice(f.field.length)}
      </>
    )
  }
  return text
}

/** How many problems the box lists (a spreadsheet can have thousands; its preview shows them all). */
const maxListed = 20

/** Shows an error from the backend; bad input lists every field with what was expected. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null
  if (error instanceof ApiError && error.fields.length > 0) {
    return (
      <div className="error" role="alert">
        <ul>
          {error.fields.slice(0, maxListed).map((f, i) => (
            <li key={i}>{line(f)}</li>
          ))}
          {error.fields.length > maxListed ? <li>… and {error.fields.length - maxListed} more</li> : null}
        </ul>
      </div>
    )
  }
  const msg = error instanceof Error ? error.message : String(error)
  return (
    <div className="error" role="alert">
      {msg}
    </div>
  )
}

/** The message for one field, if the error names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (error instanceof ApiError) {
    const f = error.fields.find((x) => x.field === field)
    if (f) return f.value ? `“${f.value}”: expected ${f.expected}` : f.expected
  }
  return undefined
}
