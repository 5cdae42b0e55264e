// The DNS check's data as the backend sends it (backend/dnscheck and backend/api/dns.go).

export type Phase = 'before' | 'after'
export type Verdict =
  | 'ok' | 'wrong' | 'extra' | 'missing' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'error' | 'ttl_high' | 'propagating' | 'unset'

export interface DnsServer {
  addr: string
  label: string
  domain?: string
}

export interface DnsAnswer {
  server: string
  label: string
  role: 'authoritative' | 'resolver'
  rcode: string
  values: string[]
  chain?: string[]
  ttl: number
  hasTTL: boolean
  verdict: Verdict
  detail?: string
  tcp?: boolean
  at: string
}

export interface DnsResult {
  domain: string
  key: string
  kind: 'value' | 'ttl'
  purpose: string
  name: string
  type: string
  expected: string
  ttlTarget?: number
  answers: DnsAnswer[]
  verdict: Verdict
  summary: string
  seen: number
  asked: number
  lingering?: string[]
  fix?: string
  fixRecord?: string
  step?: string
}

export interface Reach {
  service: string
  addr: string
  ok: boolean
  detail: string
  tls?: string
  expires?: string
}

export interface TTLDrop {
  name: string
  type: string
  server: string
  oldTTL?: number
  newTTL: number
  loweredAt?: string
  safeAfter?: string
  state: 'lowered' | 'still_high' | 'always_low'
}

export interface SafeSwitch {
  known: boolean
  safeAfter?: string
  safe: boolean
  sentence: string
  records: TTLDrop[]
}

export interface DnsReport {
  phase: Phase
  at: string
  domains: string[]
  nameservers: DnsServer[]
  resolvers: DnsServer[]
  results: DnsResult[]
  reachability?: Reach[]
  problems?: string[]
  notes?: string[]
  passed: number
  failed: number
  ok: boolean
  safe?: SafeSwitch
}

export interface StepEvidence {
  step: string
  title: string
  checkId: number
  phase: Phase
  at: string
  passed: boolean
  summary: string
  status: string
}

export interface DnsCheckResult {
  id: number
  report: DnsReport
  evidence: StepEvidence[]
  project: string
  tz: string
}

export interface DnsRecord {
  domain: string
  key: string
  purpose: string
  name: string
  type: string
  value: string
  match: 'exact' | 'spf'
  ttl: number
  changes: boolean
  step?: string
  custom?: boolean
  disabled?: boolean
  accept?: string[]
  ifOffered?: boolean
}

export interface DnsSettings {
  verification: Record<string, string>
  resolvers: string[]
  nameservers: string[]
  ttlTarget: number
  reach: boolean
}

export interface DnsSetup {
  records: DnsRecord[]
  settings: DnsSettings
  defaultResolvers: DnsServer[]
}

export const verdictTitles: Record<Verdict, string> = {
  ok: 'OK',
  wrong: 'Wrong value',
  extra: 'Old value left',
  missing: 'Missing',
  nxdomain: 'No such name',
  servfail: 'SERVFAIL',
  refused: 'REFUSED',
  timeout: 'Timeout',
  error: 'Error',
  ttl_high: 'TTL too long',
  propagating: 'Propagating',
  unset: 'Not set',
}
