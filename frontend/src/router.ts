// Routes live in the URL's hash (#/p/acme/timeline) so they work in the window and the
// browser alike. The app shell and the pages both use this module; neither imports the other.

export interface Route {
  project?: string
  tab?: string
  /** What the tab shows first: a document or message of the Customer tab. */
  item?: string
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent)
  if (parts[0] === 'p' && parts[1]) return { project: parts[1], tab: parts[2] || 'timeline', item: parts[3] || undefined }
  return {}
}

export function go(route: Route) {
  window.location.hash = route.project
    ? `#/p/${encodeURIComponent(route.project)}/${route.tab ?? 'timeline'}${route.item ? '/' + encodeURIComponent(route.item) : ''}`
    : '#/'
}
