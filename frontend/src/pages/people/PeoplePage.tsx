import { DragEvent, FormEvent, ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { call, saveFile, fileToBase64, BackendFile } from '../../api/client'
import { peopleChanges } from '../../stores/domains'
import {
  BatchEntry,
  CreateItem,
  CreateReport,
  DetectReport,
  DirectorySetting,
  DirectorySource,
  ImportReport,
  PeopleKind,
  PersonContact,
  PersonGroup,
  PersonUser,
  Project,
  SheetProblem,
  SheetRow,
} from '../../api/types'
import { Column, DataTable } from '../../components/DataTable'
import { ErrorBox } from '../../components/ErrorBox'
import { plural } from '../../api/format'

type Tab = PeopleKind | 'batch'
const tabTitles: Record<Tab, string> = { users: 'Users', groups: 'Groups', contacts: 'Contacts', batch: 'Migration batch' }
const fieldTitles: Record<string, string> = {
  address: 'Address',
  firstName: 'First name',
  lastName: 'Last name',
  displayName: 'Display name',
  sourceLogin: 'Source login',
  sourcePassword: 'Source password',
  password: 'New password',
  jobTitle: 'Job title',
  department: 'Department',
  officePhone: 'Office phone',
  mobilePhone: 'Mobile phone',
  orgUnit: 'Org unit',
  migrate: 'Migrate',
  aliases: 'Aliases',
  shared: 'Shared mailbox',
  proxyAddresses: 'Proxy addresses',
  name: 'Name',
  members: 'Members',
  description: 'Description',
  company: 'Company',
  phone: 'Phone',
  sourceHost: 'Source host',
  destHost: 'Destination host',
}
const actionTitles: Record<SheetRow['action'], string> = { add: 'add', update: 'update', unchanged: 'unchanged', skip: 'has errors' }

/** People of the project: import sheets (preview first), the users, groups, contacts and migration batch, templates and exports. */
export function PeoplePage({ project }: { project: Project }) {
  const [tab, setTab] = useState<Tab>('users')
  const [users, setUsers] = useState<PersonUser[]>([])
  const [groups, setGroups] = useState<PersonGroup[]>([])
  const [contacts, setContacts] = useState<PersonContact[]>([])
  const [batch, setBatch] = useState<BatchEntry[]>([])
  const [error, setError] = useState<unknown>(null)
  const load = useCallback(() => {
    call<PersonUser[]>('Users', project.name).then((v) => setUsers(v ?? []), setError)
    call<PersonGroup[]>('Groups', project.name).then((v) => setGroups(v ?? []), setError)
    call<PersonContact[]>('Contacts', project.name).then((v) => setContacts(v ?? []), setError)
    call<BatchEntry[]>('Batch', project.name).then((v) => setBatch(v ?? []), setError)
  }, [project.name])
  const changes = peopleChanges.use(project.name)
  useEffect(load, [load, changes])
  const removeAction = (kind: PeopleKind) => (row: { address: string }) => (
    <button
      aria-label={`Remove ${row.address}`}
      onClick={async () => {
        const also = kind === 'users' ? ' Its migration batch entry stays (remove it in the batch).' : ''
        if (!window.confirm(`Remove ${row.address} from the project?${also}`)) return
        try {
          await call('RemovePerson', project.name, kind, row.address)
          load()
        } catch (e) {
          setError(e)
        }
      }}
    >
      Remove
    </button>
  )
  const counts: Record<Tab, number> = { users: users.length, groups: groups.length, contacts: contacts.length, batch: batch.length }

  return (
    <div className="stack">
      <Detector project={project} onImported={load} />
      <Importer project={project} onImported={load} />
      <Creator project={project} onError={setError} onChanged={load} />
      <ErrorBox error={error} />
      <div className="card">
        <div className="card-head">
          <div className="subtabs" role="tablist">
            {(Object.keys(tabTitles) as Tab[]).map((t) => (
              <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
                {tabTitles[t]} <span className="count">{counts[t]}</span>
              </button>
            ))}
          </div>
          <Downloads project={project} what={tab} onError={setError} />
        </div>
        {tab === 'users' && <UsersTable rows={users} actions={removeAction('users')} />}
        {tab === 'groups' && <GroupsTable rows={groups} actions={removeAction('groups')} />}
        {tab === 'contacts' && <ContactsTable rows={contacts} actions={removeAction('contacts')} />}
        {tab === 'batch' && <BatchEditor project={project} rows={batch} onChanged={load} />}
      </div>
    </div>
  )
}

/** Pick or drop a file, see every row with its problems, then import. */
function Importer({ project, onImported }: { project: Project; onImported: () => void }) {
  const [kind, setKind] = useState<PeopleKind>('users')
  const [sheet, setSheet] = useState('')
  const [file, setFile] = useState<{ name: string; data: string } | null>(null)
  const [preview, setPreview] = useState<ImportReport | null>(null)
  const [result, setResult] = useState<ImportReport | null>(null)
  const [skipInvalid, setSkipInvalid] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [over, setOver] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  async function check(f: { name: string; data: string }, k = kind, s = sheet) {
    setBusy(true)
    setError(null)
    setResult(null)
    setPreview(null)
    try {
      setPreview(await call<ImportReport>('PeoplePreview', project.name, k, f.name, f.data, s))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  async function pick(files: FileList | null) {
    const f = files?.[0]
    if (!f) return
    const picked = { name: f.name, data: await fileToBase64(f) }
    setFile(picked)
    await check(picked)
  }
  async function doImport() {
    if (!file) return
    setBusy(true)
    setError(null)
    try {
      const r = await call<ImportReport>('PeopleImport', project.name, kind, file.name, file.data, { sheet, skipInvalid })
      setResult(r)
      setPreview(null)
      setFile(null)
      if (input.current) input.current.value = ''
      onImported()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  function onDrop(e: DragEvent) {
    e.preventDefault()
    setOver(false)
    pick(e.dataTransfer.files)
  }

  return (
    <div className="card" data-testid="importer">
      <div className="card-head">
        <h2>Import a spreadsheet</h2>
        <span className="muted small">
          xlsx or csv · our template, Microsoft 365 bulk-add or export, Google Workspace bulk upload, Exchange migration batch, imapsync file
        </span>
      </div>
      <div className="row">
        <label>
          Sheet lists{' '}
          <select
            aria-label="Sheet lists"
            value={kind}
            onChange={(e) => {
              const k = e.target.value as PeopleKind
              setKind(k)
              if (file) check(file, k)
            }}
          >
            <option value="users">users</option>
            <option value="groups">groups</option>
            <option value="contacts">contacts</option>
          </select>
        </label>
        <input
          aria-label="Worksheet name"
          placeholder="worksheet (optional)"
          value={sheet}
          onChange={(e) => setSheet(e.target.value)}
          onBlur={() => file && check(file)}
          style={{ width: 170 }}
        />
        <TemplateLinks project={project} kind={kind} onError={setError} />
      </div>
      <div
        className={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
        role="button"
        tabIndex={0}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && input.current?.click()}
      >
        {busy ? 'Reading…' : file ? <>Checking <b>{file.name}</b> — drop another file to replace it</> : <>Drop a spreadsheet here, or click to pick one</>}
        <input ref={input} type="file" accept=".xlsx,.csv,.txt,.tsv" hidden aria-label="Spreadsheet file" onChange={(e) => pick(e.target.files)} />
      </div>
      <ErrorBox error={error} />
      {result && (
        <div className="notice" role="status" data-testid="import-result">
          Imported {result.kind} from {result.file} ({result.layoutName}): {result.added} added, {result.updated} updated, {result.unchanged}{' '}
          unchanged{result.skipped > 0 ? `, ${result.skipped} skipped` : ''}.
        </div>
      )}
      {preview && (
        <Preview
          report={preview}
          busy={busy}
          skipInvalid={skipInvalid}
          setSkipInvalid={setSkipInvalid}
          onImport={doImport}
          onCancel={() => {
            setPreview(null)
            setFile(null)
            if (input.current) input.current.value = ''
          }}
        />
      )}
    </div>
  )
}

function problemText(p: SheetProblem): string {
  const where = p.column ? `column ${p.column}${p.header ? ` (${p.header})` : ''}: ` : ''
  return `${where}${p.message}${p.value ? ` “${p.value}”` : ''}; expected ${p.expected}`
}

/** The rows of an uploaded file as they would be imported, with the import buttons. */
function Preview(props: {
  report: ImportReport
  busy: boolean
  skipInvalid: boolean
  setSkipInvalid: (b: boolean) => void
  onImport: () => void
  onCancel: () => void
}) {
  const { report: r } = props
  const canImport = r.errors === 0 || props.skipInvalid
  return (
    <div className="preview" data-testid="preview">
      <p>
        <b>{r.file}</b>
        {r.sheet ? <> · sheet “{r.sheet}”</> : null} · recognised as <b data-testid="layout">{r.layoutName}</b>
        {r.headerRow > 0 ? <> · header on row {r.headerRow}</> : <> · no header row</>}
        {r.encoding ? <> · {r.encoding}</> : null}
        {r.delimiter ? <> · separated by {r.delimiter}</> : null}
      </p>
      <PreviewRows report={r} testId="preview" />
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" disabled={!canImport || props.busy} onClick={props.onImport}>
          {r.errors > 0 && props.skipInvalid ? `Import ${r.added + r.updated + r.unchanged} valid rows` : 'Import'}
        </button>
        <label>
          <input type="checkbox" checked={props.skipInvalid} onChange={(e) => props.setSkipInvalid(e.target.checked)} /> Skip rows with errors
        </label>
        <button onClick={props.onCancel}>Cancel</button>
        {!canImport && <span className="overdue small">Nothing will be imported while there are errors: fix the file or skip those rows.</span>}
      </div>
    </div>
  )
}

/** A preview's summary and rows, bad ones highlighted with their messages: a sheet's, or what a detection found. */
function PreviewRows({ report: r, testId }: { report: ImportReport; testId: string }) {
  const rows = r.rows ?? []
  const fileProblems = r.problems.filter((p) => !rows.some((row) => row.row === p.row))
  const fields = r.columns.filter((c) => c.field).map((c) => c.field!) as string[]
  const columns: Column<SheetRow>[] = [
    { key: 'row', title: 'Row', value: (x) => x.row, align: 'right', width: '50px' },
    {
      key: 'action',
      title: 'Import',
      value: (x) => actionTitles[x.action],
      render: (x) => <span className={`action action-${x.action}`}>{actionTitles[x.action]}</span>,
    },
    ...fields.map<Column<SheetRow>>((f) => ({ key: f, title: fieldTitles[f] ?? f, value: (x) => x.values[f] ?? '' })),
    {
      key: 'problems',
      title: 'Problems',
      value: (x) => (x.problems ?? []).map((p) => p.message).join('; '),
      render: (x) => (
        <ul className="problems">
          {(x.problems ?? []).map((p, i) => (
            <li key={i} className={`sev-${p.severity}`}>
              {problemText(p)}
            </li>
          ))}
        </ul>
      ),
    },
  ]
  const shown = rows.length < r.rowsTotal ? ` (showing ${rows.length} of ${r.rowsTotal}: the first ones and every row with a problem)` : ''
  return (
    <>
      <p data-testid={`${testId}-summary`}>
        {plural(r.rowsTotal, 'row')}: {r.added} to add, {r.updated} to update, {r.unchanged} unchanged, {r.skipped} with errors ·{' '}
        <span className={r.errors ? 'overdue' : ''}>{plural(r.errors, 'error')}</span>, {plural(r.warnings, 'warning')}
        {shown}
      </p>
      {fileProblems.length > 0 && (
        <ul className="problems file-problems">
          {fileProblems.map((p, i) => (
            <li key={i} className={`sev-${p.severity}`}>
              Row {p.row}, {problemText(p)}
            </li>
          ))}
        </ul>
      )}
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(x) => String(x.row)}
        rowClass={(x) => (x.problems?.some((p) => p.severity === 'error') ? 'bad' : x.problems?.length ? 'warn' : undefined)}
        testId={`${testId}-rows`}
        filterPlaceholder="Filter rows…"
      />
    </>
  )
}

const sourceTitles: Record<DirectorySource, string> = {
  graph: 'Microsoft 365 (Graph)',
  google: 'Google Workspace (Directory API)',
  cpanel: 'cPanel hosting (UAPI)',
  plesk: 'Plesk hosting (XML API)',
  doveadm: 'Dovecot server (doveadm HTTP API)',
}
const sourceHelp: Record<DirectorySource, string> = {
  graph: 'Uses the source side’s Microsoft app-only sign-in (Settings); its app needs User.Read.All, GroupMember.Read.All and OrgContact.Read.All.',
  google: 'Uses the source side’s service account (Settings), acting for the administrator below; its delegation needs the Directory read-only scopes.',
  cpanel: 'The cPanel address (https://host:2083), the account name and an API token from cPanel → Security → Manage API Tokens.',
  plesk: 'The Plesk address (https://host:8443) and a secret key from `plesk bin secret_key -c -ip-address <this machine>`.',
  doveadm: 'The doveadm HTTP listener’s address and the server’s doveadm_api_key.',
}

/** Detect the users, groups and contacts at the source through its API, preview them like a sheet, then import them. */
function Detector({ project, onImported }: { project: Project; onImported: () => void }) {
  const [source, setSource] = useState<DirectorySource>('graph')
  const [settings, setSettings] = useState<DirectorySetting[]>([])
  const [form, setForm] = useState({ url: '', account: '', admin: '', token: '' })
  const [report, setReport] = useState<DetectReport | null>(null)
  const [result, setResult] = useState<DetectReport | null>(null)
  const [skipInvalid, setSkipInvalid] = useState(false)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(false)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    call<DirectorySetting[]>('DirectorySettings', project.name).then((v) => setSettings(v ?? []), setError)
  }, [project.name])
  const current = settings.find((s) => s.source === source)
  useEffect(() => {
    setForm({ url: current?.url ?? '', account: current?.account ?? '', admin: current?.admin ?? '', token: '' })
  }, [current])
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    setBusy(true)
    setError(null)
    try {
      return await f()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  async function save(e: FormEvent) {
    e.preventDefault()
    const v = await run(() => call<DirectorySetting>('DirectorySet', project.name, { source, ...form }))
    if (v) {
      setSettings((old) => [...old.filter((s) => s.source !== v.source), v])
      setSaved(true)
    }
  }
  async function detect() {
    setResult(null)
    setReport(null)
    const r = await run(() => call<DetectReport>('PeopleDetect', project.name, source))
    if (r) setReport(r)
  }
  async function doImport() {
    const r = await run(() => call<DetectReport>('PeopleDetectImport', project.name, source, { skipInvalid }))
    if (r) {
      setResult(r)
      setReport(null)
      onImported()
    }
  }
  const parts = report ? [report.users, report.groups, report.contacts] : []
  const errors = parts.reduce((n, r) => n + r.errors, 0)
  const canImport = errors === 0 || skipInvalid
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })
  const hosted = source === 'cpanel' || source === 'plesk' || source === 'doveadm'
  const needs = { url: hosted, account: source === 'cpanel', admin: source === 'google', token: hosted }
  return (
    <div className="card" data-testid="detector">
      <div className="card-head">
        <h2>Detect users at the source</h2>
        <span className="muted small">read the source’s directory instead of filling in the sheets · preview first, nothing stored until you import</span>
      </div>
      <form className="row" onSubmit={save} aria-label="Directory setting">
        <label>
          Source{' '}
          <select aria-label="Directory source" value={source} onChange={(e) => {
              setSource(e.target.value as DirectorySource)
              setSaved(false)
            }}
          >
            {(Object.keys(sourceTitles) as DirectorySource[]).map((s) => (
              <option key={s} value={s}>
                {sourceTitles[s]}
              </option>
            ))}
          </select>
        </label>
        {needs.url && <input aria-label="API address" placeholder={{ cpanel: 'https://host:2083', plesk: 'https://host:8443' }[source as string] ?? 'http://host:port'} value={form.url} onChange={set('url')} style={{ width: 230 }} />}
        {needs.account && <input aria-label="cPanel account" placeholder="cPanel account" value={form.account} onChange={set('account')} />}
        {needs.admin && <input aria-label="Administrator" placeholder="admin@domain" value={form.admin} onChange={set('admin')} />}
        {needs.token && (
          <input
            aria-label="API token"
            type="password"
            autoComplete="new-password"
            placeholder={current?.hasToken ? 'API token (stored; type to replace)' : 'API token'}
            value={form.token}
            onChange={set('token')}
          />
        )}
        {(needs.url || needs.admin) && (
          <button type="submit" disabled={busy}>
            Save
          </button>
        )}
        {saved && <span className="muted small">saved{current?.hasToken ? ', token sealed' : ''}</span>}
        <button type="button" className="primary" disabled={busy} onClick={detect}>
          {busy ? 'Working…' : 'Detect users'}
        </button>
      </form>
      <p className="muted small">{sourceHelp[source]}</p>
      <ErrorBox error={error} />
      {result && (
        <div className="notice" role="status" data-testid="detect-result">
          Imported from {result.name}: users {result.users.added} added, {result.users.updated} updated, {result.users.unchanged} unchanged · groups{' '}
          {result.groups.added} added, {result.groups.updated} updated, {result.groups.unchanged} unchanged · contacts {result.contacts.added} added,{' '}
          {result.contacts.updated} updated, {result.contacts.unchanged} unchanged
          {result.users.skipped + result.groups.skipped + result.contacts.skipped > 0
            ? ` · ${result.users.skipped + result.groups.skipped + result.contacts.skipped} skipped`
            : ''}
          .
        </div>
      )}
      {report && (
        <div className="preview" data-testid="detect-preview">
          <p>
            Found in <b>{report.name}</b>
          </p>
          {report.notes.length > 0 && (
            <ul className="problems file-problems" data-testid="detect-notes">
              {report.notes.map((n, i) => (
                <li key={i} className="sev-warning">
                  {n}
                </li>
              ))}
            </ul>
          )}
          {(['users', 'groups', 'contacts'] as PeopleKind[]).map((k) => (
            <section key={k}>
              <h3>{tabTitles[k]}</h3>
              {report[k].rowsTotal > 0 ? (
                <PreviewRows report={report[k]} testId={`detect-${k}`} />
              ) : (
                <p className="muted small" data-testid={`detect-${k}-summary`}>
                  None found.
                </p>
              )}
            </section>
          ))}
          <div className="row" style={{ marginTop: 10 }}>
            <button className="primary" disabled={!canImport || busy} onClick={doImport}>
              {errors > 0 && skipInvalid ? 'Import the valid records' : 'Import what was found'}
            </button>
            <label>
              <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} /> Skip records with errors
            </label>
            <button onClick={() => setReport(null)}>Cancel</button>
            {!canImport && <span className="overdue small">Nothing will be imported while there are errors: fix them at the source or skip those records.</span>}
          </div>
        </div>
      )}
    </div>
  )
}

const createTitles: Record<CreateItem['action'], string> = {
  create: 'will be created',
  exists: 'exists (left alone)',
  manual: 'to import by hand',
  conflict: 'conflict',
  script: 'by the Exchange script',
  created: 'created',
  failed: 'failed',
}

/** Create the project's users (and Microsoft 365 groups) at the destination: a dry run first, then create; the Exchange script for the rest. */
function Creator({ project, onError, onChanged }: { project: Project; onError: (e: unknown) => void; onChanged: () => void }) {
  const [opts, setOpts] = useState({ to: 'graph', sku: '', usageLocation: '', groupsAs: 'distribution' })
  const m365 = opts.to === 'graph'
  const [report, setReport] = useState<CreateReport | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  async function run(apply: boolean) {
    setBusy(true)
    setError(null)
    try {
      setReport(await call<CreateReport>('PeopleCreate', project.name, { ...opts, apply }))
      if (apply) onChanged() // generated passwords are now in the batch
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const columns = useMemo<Column<CreateItem>[]>(
    () => [
      { key: 'kind', title: 'Kind', value: (x) => (x.shared ? `${x.kind} (shared mailbox)` : x.kind) },
      { key: 'address', title: 'Address', value: (x) => x.address },
      { key: 'name', title: 'Name', value: (x) => x.name },
      {
        key: 'action',
        title: 'At the destination',
        value: (x) => createTitles[x.action],
        render: (x) => <span className={`action action-${x.action}`}>{createTitles[x.action]}</span>,
      },
      { key: 'aliases', title: 'Aliases to add', value: (x) => (x.aliases ?? []).join('; ') },
      { key: 'reason', title: 'Why', value: (x) => x.reason ?? '' },
    ],
    [],
  )
  const counts = report ? Object.entries(report.counts).map(([a, n]) => `${n} ${createTitles[a as CreateItem['action']] ?? a}`) : []
  return (
    <div className="card" data-testid="creator">
      <div className="card-head">
        <h2>Create at the destination</h2>
        <span className="muted small">Microsoft 365 through Graph, or Google Workspace through its Directory API · a dry run first · what exists is never changed</span>
      </div>
      <div className="row">
        <label>
          Destination{' '}
          <select
            aria-label="Destination"
            value={opts.to}
            onChange={(e) => {
              setOpts({ ...opts, to: e.target.value, sku: '' })
              setReport(null)
            }}
          >
            <option value="graph">Microsoft 365</option>
            <option value="google">Google Workspace</option>
          </select>
        </label>
        {m365 && (
          <>
            <label>
              Licence{' '}
              <select aria-label="Licence" value={opts.sku} onChange={(e) => setOpts({ ...opts, sku: e.target.value })}>
                <option value="">none</option>
                {(report?.skus ?? []).map((s) => (
                  <option key={s.skuId} value={s.skuPartNumber}>
                    {s.skuPartNumber} ({s.available} of {s.enabled} free)
                  </option>
                ))}
              </select>
            </label>
            <input
              aria-label="Usage location"
              placeholder="country (FR)"
              value={opts.usageLocation}
              onChange={(e) => setOpts({ ...opts, usageLocation: e.target.value })}
              style={{ width: 110 }}
            />
            <label>
              Groups as{' '}
              <select aria-label="Groups as" value={opts.groupsAs} onChange={(e) => setOpts({ ...opts, groupsAs: e.target.value })}>
                <option value="distribution">distribution lists (Exchange script)</option>
                <option value="m365">Microsoft 365 groups</option>
              </select>
            </label>
          </>
        )}
        <button disabled={busy} onClick={() => run(false)}>
          Dry run
        </button>
        <button className="primary" disabled={busy || !report} onClick={() => run(true)} title={report ? '' : 'Run the dry run first'}>
          Create
        </button>
        {m365 && <button onClick={() => call<BackendFile>('PeopleCreateScript', project.name).then(saveFile, onError)}>Exchange script</button>}
      </div>
      <ErrorBox error={error} />
      {report && (
        <>
          <p data-testid="create-summary">
            {report.applied ? 'Done' : 'Dry run, nothing created'}: {counts.join(', ') || 'nothing to do'}
            {report.generated > 0 ? ` · ${plural(report.generated, 'initial password')} generated (sealed in the batch)` : ''}
          </p>
          <DataTable
            rows={report.items}
            columns={columns}
            rowKey={(x) => `${x.kind}:${x.address}`}
            rowClass={(x) => (x.action === 'failed' || x.action === 'conflict' ? 'bad' : undefined)}
            testId="create-rows"
            filterPlaceholder="Filter…"
          />
        </>
      )}
    </div>
  )
}

function TemplateLinks({ project, kind, onError }: { project: Project; kind: PeopleKind; onError: (e: unknown) => void }) {
  const get = (format: string) => call<BackendFile>('PeopleTemplate', project.name, kind, format).then(saveFile, onError)
  return (
    <span className="small">
      Template: <button onClick={() => get('xlsx')}>{kind}.xlsx</button> <button onClick={() => get('csv')}>{kind}.csv</button>
    </span>
  )
}

const provisioning = [
  { format: 'm365', title: 'Microsoft 365 bulk add' },
  { format: 'google', title: 'Google Workspace upload' },
  { format: 'exchange-batch', title: 'Exchange migration batch' },
  { format: 'imapsync', title: 'imapsync file' },
  { format: 'google-contacts', title: 'Google Contacts CSV (contacts)' },
]

function Downloads({ project, what, onError }: { project: Project; what: Tab; onError: (e: unknown) => void }) {
  const [withPasswords, setWithPasswords] = useState(false)
  const get = (w: string, format: string) => call<BackendFile>('PeopleExport', project.name, w, format, withPasswords).then(saveFile, onError)
  return (
    <div className="downloads small">
      Export: <button onClick={() => get(what, 'xlsx')}>xlsx</button> <button onClick={() => get(what, 'csv')}>csv</button>
      <select aria-label="Provisioning file" value="" onChange={(e) => e.target.value && get('provisioning', e.target.value)}>
        <option value="">Provisioning file…</option>
        {provisioning.map((p) => (
          <option key={p.format} value={p.format}>
            {p.title}
          </option>
        ))}
      </select>
      <label title="Put the stored passwords in the file">
        <input type="checkbox" checked={withPasswords} onChange={(e) => setWithPasswords(e.target.checked)} /> with passwords
      </label>
    </div>
  )
}

const masked = (set: boolean) => (set ? '••••••' : '—')

function UsersTable({ rows, actions }: { rows: PersonUser[]; actions: (r: PersonUser) => ReactNode }) {
  const columns = useMemo<Column<PersonUser>[]>(
    () => [
      {
        key: 'address',
        title: 'Address',
        value: (u) => u.address + (u.shared ? ' shared' : ''),
        render: (u) => (
          <>
            {u.address}
            {u.shared && (
              <>
                {' '}
                <span className="badge" title="A shared mailbox: nobody signs in to it, no licence" data-testid="shared-badge">
                  shared
                </span>
              </>
            )}
          </>
        ),
      },
      { key: 'name', title: 'Name', value: (u) => u.displayName },
      { key: 'aliases', title: 'Aliases', value: (u) => (u.aliases ?? []).join('; ') },
      { key: 'source', title: 'Source login', value: (u) => u.sourceLogin },
      { key: 'dept', title: 'Department', value: (u) => u.department },
      { key: 'title', title: 'Job title', value: (u) => u.jobTitle },
      { key: 'phone', title: 'Phone', value: (u) => [u.officePhone, u.mobilePhone].filter(Boolean).join(' · ') },
      { key: 'ou', title: 'Org unit', value: (u) => u.orgUnit },
      { key: 'srcpw', title: 'Source password', value: (u) => masked(u.hasSourcePassword) },
      { key: 'pw', title: 'New password', value: (u) => masked(u.hasPassword) },
      { key: 'migrate', title: 'Migrate', value: (u) => (u.migrate ? 'yes' : 'no') },
    ],
    [],
  )
  return <DataTable rows={rows} columns={columns} rowKey={(u) => u.address} actions={actions} testId="users" empty="No users yet: import a sheet above." />
}

function GroupsTable({ rows, actions }: { rows: PersonGroup[]; actions: (r: PersonGroup) => ReactNode }) {
  const columns = useMemo<Column<PersonGroup>[]>(
    () => [
      { key: 'name', title: 'Name', value: (g) => g.name },
      { key: 'address', title: 'Address', value: (g) => g.address },
      { key: 'count', title: 'Members', value: (g) => g.members.length, align: 'right' },
      { key: 'members', title: 'Member addresses', value: (g) => g.members.join('; ') },
      { key: 'desc', title: 'Description', value: (g) => g.description },
    ],
    [],
  )
  return <DataTable rows={rows} columns={columns} rowKey={(g) => g.address} actions={actions} testId="groups" empty="No groups yet." />
}

function ContactsTable({ rows, actions }: { rows: PersonContact[]; actions: (r: PersonContact) => ReactNode }) {
  const columns = useMemo<Column<PersonContact>[]>(
    () => [
      { key: 'name', title: 'Display name', value: (c) => c.displayName },
      { key: 'address', title: 'External address', value: (c) => c.address },
      { key: 'first', title: 'First name', value: (c) => c.firstName },
      { key: 'last', title: 'Last name', value: (c) => c.lastName },
      { key: 'company', title: 'Company', value: (c) => c.company },
      { key: 'phone', title: 'Phone', value: (c) => c.phone },
    ],
    [],
  )
  return <DataTable rows={rows} columns={columns} rowKey={(c) => c.address} actions={actions} testId="contacts" empty="No contacts yet." />
}

interface BatchForm {
  sourceLogin: string
  destLogin: string
  name: string
  enabled: boolean
  sourcePassword: string
  destPassword: string
}
const emptyForm: BatchForm = { sourceLogin: '', destLogin: '', name: '', enabled: true, sourcePassword: '', destPassword: '' }

/** The migration batch: source mailbox → destination mailbox, editable; passwords only ever typed in, never shown. */
function BatchEditor({ project, rows, onChanged }: { project: Project; rows: BatchEntry[]; onChanged: () => void }) {
  const [form, setForm] = useState<BatchForm>(emptyForm)
  const [editing, setEditing] = useState(false)
  const [error, setError] = useState<unknown>(null)
  async function save(e: FormEvent) {
    e.preventDefault()
    setError(null)
    try {
      await call('BatchSet', project.name, form)
      setForm(emptyForm)
      setEditing(false)
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  async function toggle(b: BatchEntry) {
    try {
      await call('BatchSet', project.name, { sourceLogin: b.sourceLogin, destLogin: b.destLogin, name: b.name ?? '', enabled: !b.enabled })
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  async function remove(b: BatchEntry) {
    if (!window.confirm(`Take ${b.sourceLogin} out of the batch? Its stored passwords are deleted.`)) return
    try {
      await call('BatchRemove', project.name, b.sourceLogin)
      onChanged()
    } catch (err) {
      setError(err)
    }
  }
  const columns = useMemo<Column<BatchEntry>[]>(
    () => [
      { key: 'source', title: 'Source login', value: (b) => b.sourceLogin },
      { key: 'dest', title: 'Destination mailbox', value: (b) => b.destLogin },
      { key: 'name', title: 'Name', value: (b) => b.name ?? '' },
      { key: 'srcpw', title: 'Source password', value: (b) => masked(b.hasSourcePassword) },
      { key: 'dstpw', title: 'Destination password', value: (b) => masked(b.hasDestPassword) },
      { key: 'enabled', title: 'Enabled', value: (b) => (b.enabled ? 'yes' : 'no') },
    ],
    [],
  )
  const set = (k: keyof BatchForm) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })
  return (
    <div className="stack">
      <form className="row batch-form" onSubmit={save} aria-label="Batch entry">
        <input aria-label="Source login" placeholder="source login" value={form.sourceLogin} onChange={set('sourceLogin')} readOnly={editing} />
        <span className="muted">→</span>
        <input aria-label="Destination mailbox" placeholder="destination mailbox" value={form.destLogin} onChange={set('destLogin')} />
        <input aria-label="Name" placeholder="name" value={form.name} onChange={set('name')} />
        <input
          aria-label="Source password"
          type="password"
          autoComplete="new-password"
          placeholder={editing ? 'source password (unchanged)' : 'source password'}
          value={form.sourcePassword}
          onChange={set('sourcePassword')}
        />
        <input
          aria-label="Destination password"
          type="password"
          autoComplete="new-password"
          placeholder={editing ? 'destination password (unchanged)' : 'destination password'}
          value={form.destPassword}
          onChange={set('destPassword')}
        />
        <button className="primary" type="submit">
          {editing ? 'Save entry' : 'Add to batch'}
        </button>
        {editing && (
          <button
            type="button"
            onClick={() => {
              setEditing(false)
              setForm(emptyForm)
            }}
          >
            Cancel
          </button>
        )}
      </form>
      <ErrorBox error={error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(b) => b.sourceLogin}
        rowClass={(b) => (b.enabled ? undefined : 'disabled')}
        testId="batch"
        empty="The batch is empty: import a users sheet, or add mailboxes above."
        actions={(b) => (
          <>
            <button
              onClick={() => {
                setEditing(true)
                setForm({ sourceLogin: b.sourceLogin, destLogin: b.destLogin, name: b.name ?? '', enabled: b.enabled, sourcePassword: '', destPassword: '' })
              }}
            >
              Edit
            </button>
            <button onClick={() => toggle(b)}>{b.enabled ? 'Disable' : 'Enable'}</button>
            <button onClick={() => remove(b)} aria-label={`Remove ${b.sourceLogin}`}>
              Remove
            </button>
          </>
        )}
      />
    </div>
  )
}
