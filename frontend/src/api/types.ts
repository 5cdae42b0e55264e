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
