// The projects store: the list of projects and the summary of each project shown. It is
// the only subscriber to the project events (and to timeline changes, which move a
// summary's counts); the projects list and a project's header read it.

import { useEffect } from 'react'
import { call, onEvent } from '../api/client'
import { ProjectSummary } from '../api/types'
import { createStore, useStore } from './store'

interface ProjectsState {
  list: ProjectSummary[] | null // null until loaded
  listError: unknown
  summaries: Record<string, ProjectSummary>
  errors: Record<string, unknown>
}

const store = createStore<ProjectsState>({ list: null, listError: null, summaries: {}, errors: {} })
let listShown = 0 // pages showing the list
const shown = new Map<string, number>() // project → pages showing its summary

function loadList() {
  call<ProjectSummary[]>('Projects').then(
    (ps) => store.set((s) => ({ ...s, list: ps ?? [], listError: null })),
    (e) => store.set((s) => ({ ...s, listError: e })),
  )
}

function loadProject(name: string) {
  call<ProjectSummary>('Project', name).then(
    (p) => store.set((s) => ({ ...s, summaries: { ...s.summaries, [name]: p }, errors: { ...s.errors, [name]: null } })),
    (e) => store.set((s) => ({ ...s, errors: { ...s.errors, [name]: e } })),
  )
}

// Any project's change reloads what is shown: a rename changes which name is shown.
function refresh() {
  if (listShown > 0) loadList()
  for (const [name, n] of shown) if (n > 0) loadProject(name)
}

let started = false
function start() {
  if (started) return
  started = true
  for (const name of ['project:changed', 'project:deleted', 'timeline:changed', 'events:reconnected']) onEvent(name, refresh)
}

/** The projects, loaded when shown and kept current. */
export function useProjects(): { projects: ProjectSummary[] | null; error: unknown } {
  start()
  useEffect(() => {
    listShown++
    loadList()
    return () => {
      listShown--
    }
  }, [])
  const s = useStore(store)
  return { projects: s.list, error: s.listError }
}

/** One project's summary, loaded when shown and kept current. */
export function useProject(name: string): { project: ProjectSummary | null; error: unknown; reload: () => void } {
  start()
  useEffect(() => {
    shown.set(name, (shown.get(name) ?? 0) + 1)
    loadProject(name)
    return () => {
      shown.set(name, (shown.get(name) ?? 1) - 1)
    }
  }, [name])
  const s = useStore(store)
  return { project: s.summaries[name] ?? null, error: s.errors[name] ?? null, reload: () => loadProject(name) }
}
