// The body of the `call.completed` webhook: the call, its contact, lead and summary in the API's
// own shapes, and links back into the API (the transcript, each recording's audio) instead of
// copies of them. Links are absolute when the public host is known.
import type { Store } from '../store/store.js';
import { API_PREFIX, callView, contactView, leadView, recordingView } from './crm-views.js';

export async function callCompletedPayload(
  store: Store,
  event: { eventKey: string; callSid: string },
  publicHost: string | undefined,
  now: Date,
) {
  const call = await store.getCrmCall(event.callSid);
  if (!call) throw new Error(`call ${event.callSid} is not in the store`);
  const [contact, lead, recordings] = await Promise.all([
    call.contactId === null ? undefined : store.getCrmContact(call.contactId),
    call.leadId === null ? undefined : store.getCrmLead(call.leadId),
    store.listRecordings(call.callSid),
  ]);
  const origin = publicHost ? `https://${publicHost}` : '';
  return {
    id: event.eventKey,
    type: 'call.completed',
    createdAt: now,
    call: callView(call),
    contact: contact ? contactView(contact) : null,
    lead: lead ? leadView(lead) : null,
    summary: call.summary,
    /** GET it with an API key: the call detail, transcript included. */
    transcriptUrl: `${origin}${API_PREFIX}/calls/${call.callSid}`,
    recordings: recordings.map((r) => {
      const view = recordingView(r);
      return { ...view, audioUrl: `${origin}${view.audioUrl}` };
    }),
  };
}
