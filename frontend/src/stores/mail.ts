// The mail store: each project's mailboxes with their passes and live progress, the
// pass's totals as the backend published them, and each mailbox's contacts, calendars
// and tasks progress. It is the only subscriber to the copy and pim events; the
// Mailboxes page reads it and keeps no copy.

import { useEffect } from 'react'
import { call, onEvent } from '../api/client'
import { CopyProgress, MailboxState, PassTotals, PIMCounts, PIMLive, PIMProgress, PIMRun, isRunning } from '../api/mail'
import { createStore, useStore } from './store'

export interface MailView {
  rows: MailboxState[]
  totals: PassTotals | null
  error: unknown // loading failed, or the running pass reported an error
  analyzed: number // moves each time a mailbox's folders are analysed
  pim: Record<string, PIMCounts['copied']> // contacts, events, tasks, journals copied, by source login
  pimRuns: PIMRun[] // each mailbox's last contacts/calendars pass, with its refusals
  pimLive: Record<string, PIMLive> // the latest contacts/calendars progress of this session's pass, by source login
}

const empty: MailView = { rows: [], totals: null, error: null, analyzed: 0, pim: {}, pimRuns: [], pimLive: {} }
const store = createStore<Record<string, MailView>>({})
// The latest progress event of each mailbox, by project: a reload answered with older
// numbers than an event already received does not take the page back.
const live: Record<string, Record<string, CopyProgress>> = {}

function update(project: string, f: (v: MailView) => MailView) {
  store.set((s) => ({ ...s, [project]: f(s[project] ?? empty) }))
}

function reload(project: string) {
  Promise.all([call<MailboxState[]>('MailStatus', project), call<PassTotals>('MailTotals', project)]).then(
    ([rows, totals]) => {
      const l = live[project] ?? {}
      update(project, (v) => ({
        ...v,
        rows: (rows ?? []).map((m) => ({ ...m, progress: l[m.entry.sourceLogin] ?? m.progress })),
        totals,
      }))
    },
    (error) => update(project, (v) => ({ ...v, error })),
  )
  call<PIMCounts[]>('PIMCopied', project).then(
    (counts) =>
      update(project, (v) => ({
        ...v,
        pim: Object.fromEntries((counts ?? []).map((c) => [c.sourceLogin, c.copied])),
        pimRuns: (counts ?? []).flatMap((c) => (c.last ? [c.last] : [])),
      })),
    (error) => update(project, (v) => ({ ...v, error })),
  )
}

let started = false
function start() {
  if (started) return
  started = true
  const known = (project?: string): project is string => !!project && project in store.get()
  onEvent<CopyProgress>('copy:progress', (ev) => {
    const project = ev.project
    if (!known(project)) return
    const p = ev.data
    live[project] = { ...live[project], [p.sourceLogin]: p }
    update(project, (v) => ({
      ...v,
      totals: p.totals,
      rows: v.rows.map((m) => (m.entry.sourceLogin === p.sourceLogin ? { ...m, progress: p, running: isRunning(p.state) } : m)),
    }))
  })
  onEvent<PIMProgress>('pim:progress', (ev) => {
    const project = ev.project
    if (!known(project)) return
    const p = ev.data
    update(project, (v) => ({ ...v, pimLive: { ...v.pimLive, [p.sourceLogin]: p } }))
  })
  onEvent<PIMRun>('pim:done', (ev) => {
    const project = ev.project
    if (!known(project)) return
    const run = ev.data
    update(project, (v) => {
      const p = v.pimLive[run.sourceLogin]
      return p ? { ...v, pimLive: { ...v.pimLive, [run.sourceLogin]: { ...p, ended: run.state } } } : v
    })
    reload(project)
  })
  for (const name of ['copy:done', 'copy:finished', 'batch:changed']) {
    onEvent(name, (ev) => known(ev.project) && reload(ev.project))
  }
  onEvent<string>('copy:error', (ev) => known(ev.project) && update(ev.project, (v) => ({ ...v, error: new Error(ev.data) })))
  onEvent('mail:analyzed', (ev) => known(ev.project) && update(ev.project, (v) => ({ ...v, analyzed: v.analyzed + 1 })))
  onEvent('events:reconnected', () => Object.keys(store.get()).forEach(reload))
}

/** A project's mailboxes, loaded when first shown and kept current by the events. */
export function useMail(project: string): MailView {
  start()
  useEffect(() => {
    update(project, (v) => v)
    reload(project)
  }, [project])
  return useStore(store)[project] ?? empty
}

/** How many times the project's folders were analysed since the page opened: reload what depends on it when it moves. */
export function useMailAnalyzed(project: string): number {
  start()
  return useStore(store)[project]?.analyzed ?? 0
}

export const mail = {
  reload,
  clearError(project: string) {
    update(project, (v) => (v.error ? { ...v, error: null } : v))
  },
  /** Start a pass; the live numbers of the previous one are forgotten. */
  async start(project: string, input: { pass: string; olderThan: string; concurrency: number }) {
    live[project] = {}
    update(project, (v) => ({ ...v, pimLive: {} }))
    await call('MailStart', project, input)
  },
  async stop(project: string) {
    await call('MailStop', project)
  },
}
