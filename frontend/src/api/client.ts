// The one place that knows whether the app runs in the desktop window (the Wails
// binding App.Call) or in a browser (the local web app's HTTP API). Both reach the same
// Go dispatcher (backend/dispatch) and both answer an error with the same envelope
// (backend/fault): pages call `call('Method', ...args)` and `onEvent('domain:what', cb)`
// and never care.

/** One place where input is wrong (backend/fault.Field). */
export interface FieldError {
  field: string
  value: string
  expected: string
  problem?: string
  /** All of it as one sentence, as the backend words it. */
  message?: string
  file?: string
  sheet?: string
  row?: number
  column?: string
}

/** An error's kind: 'input' (bad input), 'notfound', 'partial', 'failed' (and, from the web face's defences, 'auth', 'origin', 'host'). */
export type ErrorKind = 'input' | 'notfound' | 'partial' | 'failed' | string

/** An error from the backend: its message, its kind and, for bad input, the fields. */
export class ApiError extends Error {
  kind: ErrorKind
  fields: FieldError[]
  status: number
  constructor(message: string, kind: ErrorKind = 'failed', fields: FieldError[] = [], status = 0) {
    super(message)
    this.kind = kind
    this.fields = fields
    this.status = status
  }
}

/** The envelope both faces answer an error with (backend/fault.Envelope). */
interface Envelope {
  kind?: string
  error?: string
  fields?: FieldError[]
}

/**
 * The ApiError of a rejected window call. The binding rejects with the JSON of the
 * envelope as the error's message (backend/fault.Wire); an error raised by Wails itself
 * before the call (a timeout, unparsable arguments) is a plain message.
 */
function fromWindow(e: unknown): ApiError {
  const text = typeof e === 'string' ? e : String((e as Error)?.message ?? e)
  try {
    const env = JSON.parse(text) as Envelope
    if (env && typeof env.kind === 'string' && typeof env.error === 'string') {
      return new ApiError(env.error, env.kind, env.fields ?? [])
    }
  } catch {
    /* not an envelope */
  }
  return new ApiError(text, 'failed')
}

/** An event from the backend's event bus. */
export interface BackendEvent<T = unknown> {
  name: string
  project?: string
  at: string
  data: T
}

interface Binding {
  Call: (method: string, args: unknown[]) => Promise<unknown>
}

declare global {
  interface Window {
    go?: { main?: { App?: Binding } }
    runtime?: { EventsOn: (name: string, cb: (ev: BackendEvent) => void) => () => void }
  }
}

function binding(): Binding | undefined {
  return window.go?.main?.App
}

/** Whether the app runs inside the desktop window. */
export function inDesktop(): boolean {
  return binding() !== undefined
}

/** Call a method of the backend's API by name. */
export async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const b = binding()
  if (b) {
    try {
      return (await b.Call(method, args)) as T
    } catch (e) {
      throw fromWindow(e)
    }
  }
  const res = await fetch(`/api/call/${encodeURIComponent(method)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(args),
  })
  let body: { result?: T } & Envelope = {}
  try {
    body = await res.json()
  } catch {
    throw new ApiError(`${method}: HTTP ${res.status}`, 'failed', [], res.status)
  }
  if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`, body.kind, body.fields ?? [], res.status)
  return body.result as T
}

type Listener = (ev: BackendEvent) => void
const listeners = new Map<string, Set<Listener>>()
let source: EventSource | undefined
const wailsOff = new Map<string, () => void>()

function dispatch(ev: BackendEvent) {
  listeners.get(ev.name)?.forEach((cb) => cb(ev))
  listeners.get('*')?.forEach((cb) => cb(ev))
}

/** Subscribe to backend events named `name` ('*' for all); returns the unsubscribe function. */
export function onEvent<T = unknown>(name: string, cb: (ev: BackendEvent<T>) => void): () => void {
  let set = listeners.get(name)
  if (!set) {
    set = new Set()
    listeners.set(name, set)
  }
  set.add(cb as Listener)
  if (window.runtime && inDesktop()) {
    if (name !== '*' && !wailsOff.has(name)) {
      wailsOff.set(name, window.runtime.EventsOn(name, (ev) => listeners.get(name)?.forEach((l) => l(ev))))
    }
  } else if (!source) {
    source = new EventSource('/api/events')
    // The browser reconnects a dropped stream by itself, but what was published meanwhile
    // is lost (the backend also ends the stream of a client too far behind): tell the
    // stores, which load again.
    let opened = false
    source.onopen = () => {
      if (opened) dispatch({ name: 'events:reconnected', at: new Date().toISOString(), data: null })
      opened = true
    }
    source.onmessage = (m) => {
      try {
        dispatch(JSON.parse(m.data))
      } catch {
        /* a malformed event is dropped */
      }
    }
  }
  return () => {
    set!.delete(cb as Listener)
  }
}

/** A file produced by the backend (templates, exports, calendars). */
export interface BackendFile {
  name: string
  mime: string
  data: string // base64
}

/** Save a backend file through the browser's download (works in the window too). */
export function saveFile(f: BackendFile) {
  const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: f.mime || 'application/octet-stream' }))
  const a = document.createElement('a')
  a.href = url
  a.download = f.name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** Read a picked or dropped file as base64, the form []byte arguments take. */
export async function fileToBase64(file: File): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer())
  let bin = ''
  const chunk = 0x8000
  for (let i = 0; i < buf.length; i += chunk) bin += String.fromCharCode(...buf.subarray(i, i + chunk))
  return btoa(bin)
}

/** Open a URL in the system browser (the window) or a new tab (the browser): sign-in pages. */
export function openExternal(url: string) {
  const rt = window.runtime as unknown as { BrowserOpenURL?: (u: string) => void } | undefined
  if (inDesktop() && rt?.BrowserOpenURL) rt.BrowserOpenURL(url)
  else window.open(url, '_blank', 'noopener')
}
