// A store holds one domain's shared state outside the components: it alone subscribes to
// that domain's backend events (client.ts onEvent), and pages read it with useStore.

import { useSyncExternalStore } from 'react'

export interface Store<T> {
  get(): T
  set(update: (s: T) => T): void
  subscribe(listener: () => void): () => void
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    set(update) {
      const next = update(state)
      if (next === state) return
      state = next
      listeners.forEach((l) => l())
    },
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
}

/** The store's state, re-rendering when it changes. */
export function useStore<T>(s: Store<T>): T {
  return useSyncExternalStore(s.subscribe, s.get)
}

/**
 * A counter per project that a domain's events move on: pages that load the domain's data
 * reload when it moves. An event without a project moves every project's counter.
 */
export function createRevisions(events: string[], subscribe: (name: string, cb: (project?: string) => void) => void) {
  const store = createStore<Record<string, number>>({})
  const bump = (s: Record<string, number>, p: string) => ({ ...s, [p]: (s[p] ?? 0) + 1 })
  let started = false
  const start = () => {
    if (started) return
    started = true
    for (const name of events) {
      subscribe(name, (project) => store.set((s) => (project ? bump(s, project) : Object.keys(s).reduce(bump, s))))
    }
  }
  return {
    /** The project's revision: use it as a dependency of the effect that loads. */
    use(project: string): number {
      start()
      const all = useStore(store)
      return all[project] ?? 0
    },
  }
}
