// Shapes of the mail API's values (backend/api/mail.go, backend/store/mail.go, backend/mailbox).

import type { BatchEntry } from './types'
export type { BatchEntry }

/** Where a mailbox stands in a pass: backend/mailbox/state.go's State, the one place its values are listed here. */
export type MailState =
  | 'planning'
  | 'copying'
  | 'retrying'
  | 'done'
  | 'failed'
  | 'stopped'
  | 'running' // recorded: under way
  | 'partial' // recorded: done with messages refused
  | 'complete' // recorded verification: nothing missing
  | 'incomplete'

/** Whether a pass has ended, whatever the outcome (State.Over in Go). */
export function isOver(s?: MailState): boolean {
  return s === 'done' || s === 'failed' || s === 'stopped' || s === 'partial' || s === 'complete' || s === 'incomplete'
}

/** Whether a pass is under way (a state not over; no state is not under way). */
export function isRunning(s?: MailState): boolean {
  return s !== undefined && !isOver(s)
}

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
  state: MailState
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

/** A pass's numbers summed over its mailboxes, as the backend publishes them (api.PassTotals). */
export interface PassTotals {
  state: MailState
  mailboxes: number
  running: number
  messagesDone: number
  messagesTotal: number
  bytesDone: number
  bytesTotal: number
  failed: number
  errors: number
  rate: number
  byteRate: number
  etaSeconds: number // -1 when unknown or over
}

export interface CopyProgress {
  sourceLogin: string
  pass: string
  job: string
  folder: string
  state: MailState
  messagesDone: number
  messagesTotal: number
  bytesDone: number
  bytesTotal: number
  failed: number
  rate: number
  byteRate: number
  etaSeconds: number
  error?: string
  totals: PassTotals
}

export interface MailboxState {
  entry: BatchEntry
  pass?: MailPass
  progress?: CopyProgress
  running: boolean
}

/** A message over the destination's size limit: the passes report it without sending it. */
export interface TooLarge {
  uid: number
  subject: string
  size: number
  date: string
  limit: number
}

/** The pre pass of a mailbox: what it copies and the least time its hosts' limits allow. */
export interface PrePassEstimate {
  messages: number
  bytes: number
  seconds: number
  why?: string
  tooLarge: number
}

export interface MailFolder {
  sourceLogin: string
  folder: string
  /** A Gmail source: the label of the folder's (All Mail's) messages this row is about. */
  label?: string
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
  tooLarge: TooLarge[]
  analyzedAt: string
}

export interface MailboxAnalysis {
  sourceLogin: string
  folders: MailFolder[]
  estimate: PrePassEstimate
  error?: string
}

export interface Mapping {
  source: string
  label?: string
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

/** Contacts, events, tasks and journals copied of a mailbox so far (api.PIMCounts). */
export interface PIMCounts {
  sourceLogin: string
  copied: { contacts: number; events: number; tasks: number; journals: number }
  last?: PIMRun
}

/** A mailbox's last contacts/calendars pass or file import (store.PIMRun). */
export interface PIMRun {
  sourceLogin: string
  pass: string
  state: MailState
  error?: string
  copied: number
  updated: number
  matched: number
  failed: number
  failures: PIMFailure[]
  notes: PIMFailure[]
  finished: string
}

/** An item a contacts/calendars pass refused, or copied without something (pim.Failure). */
export interface PIMFailure {
  collection: string
  /** The address book's or calendar's display name, when it has one. */
  name?: string
  href: string
  uid: string
  kind: 'contact' | 'event' | 'task' | 'journal'
  summary: string
  reason: string
}

/** What a contacts/calendars pass or import did in one mailbox (pim.Result). */
export interface PIMResult {
  copied: number
  updated: number
  matched: number
  failed: number
  failures: PIMFailure[] | null
  notes?: PIMFailure[]
}

/** Of one class (contacts, calendars, tasks): the items of the pass done of those in scope (pim.ClassProgress). */
export interface PIMClassProgress {
  class: 'contacts' | 'calendars' | 'tasks'
  done: number
  total: number
  failed: number
}

/**
 * A mailbox's contacts, calendars and tasks pass as it stands (api.PIMProgress, pim.Progress):
 * the collection being copied and, per class, done of total over the collections read so far.
 * Until `counted`, more collections are to be read and the totals may grow.
 */
export interface PIMProgress {
  sourceLogin: string
  pass: string // pre, final, or files (an import)
  job: string
  collection: string
  name: string
  done: number
  total: number
  failed: number
  classes: PIMClassProgress[]
  reached: number
  collections: number
  counted: boolean
}

/** A mailbox's contacts/calendars progress as the page keeps it: with how the pass ended, once it has ("pim:done"). */
export interface PIMLive extends PIMProgress {
  ended?: MailState
}
