import { DragEvent, useState } from 'react'
import { call } from '../../api/client'
import { PIMResult } from '../../api/mail'
import { ErrorBox } from '../../components/ErrorBox'

/** Exported contacts (.vcf) and calendars or tasks (.ics) dropped here go into a mailbox's
 *  destination account: for hosts without CalDAV/CardDAV (api.PIMImport). */
export function PIMFiles({ project, logins }: { project: string; logins: string[] }) {
  const [mailbox, setMailbox] = useState('')
  const [busy, setBusy] = useState(false)
  const [over, setOver] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [result, setResult] = useState<PIMResult | null>(null)
  const target = mailbox || logins[0] || ''

  async function importFiles(files: File[]) {
    if (!target || files.length === 0) return
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      const dropped = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })))
      setResult(await call<PIMResult>('PIMImport', project, { mailbox: target, dropped }))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  function drop(e: DragEvent) {
    e.preventDefault()
    setOver(false)
    importFiles(Array.from(e.dataTransfer.files))
  }

  if (logins.length === 0) return null
  const listed = [...(result?.failures ?? []), ...(result?.notes ?? [])]
  return (
    <div className="card" data-testid="pim-files">
      <h2>Contacts and calendar files</h2>
      <p className="muted">For a host without CalDAV/CardDAV: drop the users' exported .vcf and .ics files. Each file becomes an address book or calendar of the mailbox's destination account; importing again copies only what changed.</p>
      <label>
        Mailbox{' '}
        <select aria-label="Mailbox for files" value={target} onChange={(e) => setMailbox(e.target.value)}>
          {logins.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
      </label>
      <div className={`dropzone${over ? ' over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true) }} onDragLeave={() => setOver(false)} onDrop={drop}>
        {busy ? 'Copying…' : 'Drop .vcf and .ics files here, or '}
        {!busy && <input type="file" multiple accept=".vcf,.ics,.vcard,.ical" aria-label="Files" onChange={(e) => importFiles(Array.from(e.target.files ?? []))} />}
      </div>
      <ErrorBox error={error} />
      {result && (
        <p data-testid="pim-files-result">
          {result.copied} copied, {result.updated} updated, {result.matched} already there, {result.failed} refused
        </p>
      )}
      {listed.length > 0 && (
        <table className="data">
          <thead><tr><th>Collection</th><th>Kind</th><th>Item</th><th>Why</th></tr></thead>
          <tbody>
            {listed.map((f, i) => (
              <tr key={i}><td>{f.name || f.collection}</td><td>{f.kind}</td><td>{f.summary}</td><td className="bad-text">{f.reason}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
