// Shapes of the mail API's values (backend/api/mail.go, backend/store/mail.go, backend/mailbox).

import type { BatchEntry } from '../../api/types'
export type { BatchEntry }

export interface Failure {
  folder: string
  uid: number
  subject: string
  size: number
  date: string
  reason: string
}

export interface MailPass {
  id: number
  sourceLogin: string
  kind: 'pre' | 'final'
  state: string
  messagesTotal: number
  messagesDone: number
  bytesTotal: number
  bytesDone: number
  failed: number
  error: string
  cutoff: string
  started: string
  finished: string
  failures?: Failure[]
}

export interface CopyProgress {
  sourceLogin: string
  pass: string
  job: string
  folder: string
  state: string
  messagesDone: number
  messagesTotal: number
  bytesDone: number
  bytesTotal: number
  failed: number
  rate: number
  byteRate: number
  etaSeconds: number
  error?: string
}

export interface MailboxState {
  entry: BatchEntry
  pass?: MailPass
  progress?: CopyProgress
  running: boolean
}

export interface MailFolder {
  sourceLogin: string
  folder: string
  delim: string
  specialUse: string
  messages: number
  bytes: number
  oldest: string
  newest: string
  preMessages: number
  preBytes: number
  todoMessages: number
  todoBytes: number
  dest: string
  reason: string
  excluded: boolean
  analyzedAt: string
}

export interface MailboxAnalysis {
  sourceLogin: string
  folders: MailFolder[]
  error?: string
}

export interface Mapping {
  source: string
  dest: string
  specialUse?: string
  reason: string
  excluded?: boolean
  exists: boolean
  /** Other source folders going to the same destination folder: only a rename rule merges. */
  mergedWith?: string[]
  mergeRules?: string[]
  /** The source folder a guess would have merged this one with; reason says why it did not. */
  keptApartFrom?: string
}

export interface MailRule {
  id: number
  sourceLogin: string
  pattern: string
  action: 'exclude' | 'rename'
  target?: string
}

export interface FolderPlan {
  sourceLogin: string
  mapping: Mapping[]
  rules: MailRule[]
}

export interface Missing {
  uid: number
  subject: string
  date: string
  size: number
}

export interface FolderCheck {
  source: string
  dest: string
  sourceMessages: number
  destMessages: number
  missing: Missing[]
}

export interface MailboxCheck {
  sourceLogin: string
  complete: boolean
  missing: number
  folders: FolderCheck[]
  error?: string
}
