// The stores of the domains whose data one page loads and shows alone (timeline, people,
// DNS): each is the only subscriber to its domain's events and counts them per project;
// the page reloads when its project's count moves.

import { onEvent } from '../api/client'
import { createRevisions } from './store'

const subscribe = (name: string, cb: (project?: string) => void) => {
  onEvent(name, (ev) => cb(ev.project))
}

// After the event stream reconnected, everything shown loads again.
const reconnected = 'events:reconnected'

/** Steps and the contact log. */
export const timelineChanges = createRevisions(['timeline:changed', 'timeline:contact', reconnected], subscribe)
/** Users, groups, contacts and the migration batch. */
export const peopleChanges = createRevisions(['people:changed', 'batch:changed', reconnected], subscribe)
/** DNS check results and the evidence they give the timeline's steps (a step marked done changes it too). */
export const dnsCheckChanges = createRevisions(['dns:checked', 'timeline:changed', reconnected], subscribe)
/** The DNS settings and expected records. */
export const dnsSetupChanges = createRevisions(['dns:changed', reconnected], subscribe)
/** Sign-in settings and each mailbox's sign-in state (the batch lists the mailboxes). */
export const signInChanges = createRevisions(['signin:done', 'signin:changed', 'batch:changed', reconnected], subscribe)

// The customer pack: settings, drafts and the contact log its messages write to.
export const customerChanges = createRevisions(['customer:changed', 'customer:draft', 'timeline:contact', 'timeline:changed', reconnected], subscribe)
