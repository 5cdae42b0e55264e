// Shapes of the Go API's values (backend/project, backend/timeline, backend/api).

export type Provider = 'm365' | 'google' | 'imap'
export type TLSMode = 'implicit' | 'starttls' | 'plain'

export interface Server {
  host: string
  port: number
  tls: TLSMode
  allowPlain: boolean
  caFile?: string
  skipVerify?: boolean
}

export interface Project {
  id: number
  name: string
  customer: string
  domains: string[]
  provider: Provider
  source: Server
  dest: Server
  cutover: string
  tz: string
  holidays: string[]
  status: string
  created: string
  updated: string
}

export type Phase = 'preparation' | 'pre_migration' | 'cutover' | 'post_migration'
export type Status = 'todo' | 'in_progress' | 'done' | 'blocked' | 'skipped'

export interface Step {
  key: string
  phase: Phase
  title: string
  detail: string
  when: string
  owner: 'customer' | 'specialist'
  contact: boolean
  due: string
  windowStart?: string
  windowEnd?: string
  status: Status
  by?: string
  at?: string
  note?: string
  overdue: boolean
}

export interface Timeline {
  project: string
  tz: string
  cutover: string
  now: string
  steps: Step[]
}

export interface ProjectSummary extends Project {
  providerLabel: string
  phase: Phase
  nextStep?: Step
  overdue: number
  done: number
  steps: number
}

/** What create/edit send: every field as typed; absent fields are left unchanged on edit. */
export interface ProjectInput {
  name?: string
  customer?: string
  domains?: string[]
  provider?: string
  source?: string
  dest?: string
  allowPlainSource?: boolean
  allowPlainDest?: boolean
  sourceCAFile?: string
  destCAFile?: string
  sourceSkipVerify?: boolean
  destSkipVerify?: boolean
  cutover?: string
  tz?: string
  holidays?: string[]
  status?: string
}

export interface ContactEntry {
  id: number
  step?: string
  at: string
  channel: 'phone' | 'email' | 'meeting' | 'other'
  summary: string
}

export const phaseTitles: Record<Phase, string> = {
  preparation: 'Preparation',
  pre_migration: 'Pre-migration',
  cutover: 'Cutover',
  post_migration: 'Post-migration',
}

export function serverURL(s: Server): string {
  if (!s || !s.host) return ''
  const scheme = s.tls === 'implicit' ? 'imaps' : s.tls === 'starttls' ? 'imap' : 'imap+plain'
  const host = s.host.includes(':') ? `[${s.host}]` : s.host
  return `${scheme}://${host}:${s.port}`
}

// People (backend/people: the records and their rules; backend/sheets: the spreadsheets;
// backend/api/people.go; backend/batch). The Go JSON names are the field names below.

export type PeopleKind = 'users' | 'groups' | 'contacts'

export interface PersonUser {
  address: string
  firstName: string
  lastName: string
  displayName: string
  sourceLogin: string
  jobTitle: string
  department: string
  officePhone: string
  mobilePhone: string
  orgUnit: string
  migrate: boolean
  /** The mailbox's other addresses (null: none). */
  aliases: string[] | null
  /** A shared mailbox: nobody signs in, no licence. */
  shared: boolean
  hasSourcePassword: boolean
  hasPassword: boolean
}

export interface PersonGroup {
  address: string
  name: string
  description: string
  members: string[]
}

export interface PersonContact {
  address: string
  displayName: string
  firstName: string
  lastName: string
  company: string
  phone: string
}

export interface BatchEntry {
  id: number
  sourceLogin: string
  destLogin: string
  name?: string
  enabled: boolean
  hasSourcePassword: boolean
  hasDestPassword: boolean
}

export interface SheetProblem {
  severity: 'error' | 'warning'
  file: string
  sheet?: string
  row: number
  column?: string
  header?: string
  field?: string
  value: string
  message: string
  expected: string
}

export interface SheetRow {
  row: number
  key: string
  values: Record<string, string>
  action: 'add' | 'update' | 'unchanged' | 'skip'
  problems?: SheetProblem[]
}

export interface ImportReport {
  kind: PeopleKind
  file: string
  sheet?: string
  format: string
  encoding?: string
  delimiter?: string
  layout: string
  layoutName: string
  headerRow: number
  columns: { column: string; header: string; field?: string }[]
  rows?: SheetRow[]
  problems: SheetProblem[]
  errors: number
  warnings: number
  added: number
  updated: number
  unchanged: number
  skipped: number
  imported: boolean
  dryRun: boolean
  rowsTotal: number
}

/** Where people are detected at the source (backend/api DirectorySettingView); the token is never sent back. */
export type DirectorySource = 'graph' | 'google' | 'cpanel' | 'plesk' | 'doveadm'
export interface DirectorySetting {
  source: DirectorySource
  name: string
  url: string
  account?: string
  admin?: string
  hasToken: boolean
}

/** What a detection found: one preview per kind, checked as a sheet import is (backend/api DetectReport). */
export interface DetectReport {
  source: DirectorySource
  name: string
  users: ImportReport
  groups: ImportReport
  contacts: ImportReport
  notes: string[]
  imported: boolean
  dryRun: boolean
  blocked: boolean
}

/** One record of a creation plan or its outcome (backend/directory Item). */
export interface CreateItem {
  kind: PeopleKind
  address: string
  name: string
  action: 'create' | 'exists' | 'conflict' | 'script' | 'manual' | 'created' | 'failed'
  reason?: string
  members?: string[]
  /** For a user: the aliases the destination lacks, to add. */
  aliases?: string[]
  shared?: boolean
}
/** What creating the people at the destination would do, or did (backend/api CreateReport). */
export interface CreateReport {
  items: CreateItem[]
  skus: { skuId: string; skuPartNumber: string; enabled: number; consumed: number; available: number }[]
  applied: boolean
  counts: Record<string, number>
  generated: number
}
