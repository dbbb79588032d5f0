// A Store that also tells CallEvents what it has just kept (a lead saved, a transcript turn, a
// timeline step such as a stream error or a transfer step), so every writer — agents, routes,
// the session — feeds the live view without event plumbing of its own.
import type { Store } from '../store/store.js';
import type { CallEvents } from './call-events.js';

export function publishingStore<S extends Store>(store: S, events: CallEvents): S {
  const overrides: Pick<Store, 'saveLead' | 'addTranscriptTurn' | 'addCallEvent'> = {
    async saveLead(lead) {
      const saved = await store.saveLead(lead);
      events.publish({
        type: 'lead.saved',
        callSid: saved.callSid,
        leadId: saved.id,
        fields: saved.fields,
        at: lead.at,
      });
      return saved;
    },
    async addTranscriptTurn(turn) {
      await store.addTranscriptTurn(turn);
      events.publish({
        type: 'transcript',
        callSid: turn.callSid,
        role: turn.role,
        text: turn.text,
        at: turn.at,
      });
    },
    async addCallEvent(event) {
      const stored = await store.addCallEvent(event);
      // Status changes are published as call.status by the webhook that applies them.
      if (stored && event.kind !== 'status') {
        events.publish({
          type: 'call.timeline',
          callSid: event.callSid,
          kind: event.kind,
          name: event.name,
          twilioCode: event.twilioCode ?? null,
          detail: event.detail ?? null,
          at: event.at,
        });
      }
      return stored;
    },
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof typeof overrides];
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (!fn) bound.set(prop, (fn = value.bind(target)));
      return fn;
    },
  });
}
