// Calls in progress: a pure reducer from the calls the list says are live and the events of
// GET /events (SSE, subscribed in live-source.ts) to what the Live page shows.
import type { CallView, LiveEvent } from './types.js';

export interface LiveTurn {
  role: 'caller' | 'agent';
  text: string;
  at: string;
}

export interface LiveCall {
  callSid: string;
  from: string | null;
  to: string | null;
  contactName: string | null;
  agentId: string | null;
  startedAt: string;
  status: string;
  streaming: boolean;
  transcript: LiveTurn[];
  /** Who spoke last (the latest turn), null before anyone has. */
  speaking: 'caller' | 'agent' | null;
  /** Set when the call ended; the page keeps it a moment so the end is seen. */
  endedAt: string | null;
  /** A stream that stopped with a close code other than a normal one. */
  streamProblem: { closeCode: number | null; reason: string } | null;
  /** Twilio error codes the call's timeline reported while live (stream errors). */
  twilioCodes: number[];
  /** What the caller has left so far (the lead's fields, as saved). */
  answers: Record<string, unknown> | null;
}

export type LiveState = ReadonlyMap<string, LiveCall>;

const TERMINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** Turns kept per call: the page shows the conversation's latest part. */
const MAX_TURNS = 50;

function blank(callSid: string, at: string): LiveCall {
  return {
    callSid,
    from: null,
    to: null,
    contactName: null,
    agentId: null,
    startedAt: at,
    status: 'ringing',
    streaming: false,
    transcript: [],
    speaking: null,
    endedAt: null,
    streamProblem: null,
    twilioCodes: [],
    answers: null,
  };
}

/** The live calls the API listed (GET /calls?outcome=live), merged over what events already told. */
export function seedLive(state: LiveState, calls: readonly CallView[]): LiveState {
  const next = new Map(state);
  for (const c of calls) {
    const known = next.get(c.callSid);
    next.set(c.callSid, {
      ...(known ?? blank(c.callSid, c.startedAt)),
      from: c.from,
      to: c.to,
      contactName: c.contactName,
      agentId: c.agentId,
      startedAt: c.startedAt,
      status: known?.status ?? c.status,
    });
  }
  return next;
}

export function applyLiveEvent(state: LiveState, event: LiveEvent): LiveState {
  const known = state.get(event.callSid);
  // Events of a call that ended before the page opened (a late recording) add nothing to Live.
  if (!known && event.type !== 'call.started' && event.type !== 'call.status') return state;
  if (!known && event.type === 'call.status' && TERMINAL.has(event.status)) return state;
  const call = known ?? blank(event.callSid, event.at);
  let updated: LiveCall = call;
  switch (event.type) {
    case 'call.started':
      updated = { ...call, from: event.from, to: event.to, startedAt: known ? call.startedAt : event.at };
      break;
    case 'call.status':
      updated = {
        ...call,
        status: event.status,
        endedAt: TERMINAL.has(event.status) ? event.at : call.endedAt,
      };
      break;
    case 'stream.started':
      updated = { ...call, streaming: true, status: call.status === 'ringing' ? 'in-progress' : call.status };
      break;
    case 'stream.stopped': {
      const normal = event.closeCode === null || event.closeCode === 1000 || event.closeCode === 1005;
      updated = {
        ...call,
        streaming: false,
        speaking: null,
        streamProblem: normal ? call.streamProblem : { closeCode: event.closeCode, reason: event.reason },
      };
      break;
    }
    case 'transcript':
      updated = {
        ...call,
        transcript: [...call.transcript, { role: event.role, text: event.text, at: event.at }].slice(
          -MAX_TURNS,
        ),
        speaking: event.role,
      };
      break;
    case 'recording':
    case 'job.done':
      return state;
    case 'lead.saved':
      updated = { ...call, answers: { ...(call.answers ?? {}), ...event.fields } };
      break;
    case 'call.timeline':
      if (event.twilioCode === null || call.twilioCodes.includes(event.twilioCode)) return state;
      updated = { ...call, twilioCodes: [...call.twilioCodes, event.twilioCode] };
      break;
    case 'call.ended':
      updated = { ...call, streaming: false, speaking: null, endedAt: call.endedAt ?? event.at };
      break;
    case 'agent': {
      const agentId = typeof event.detail?.agentId === 'string' ? event.detail.agentId : call.agentId;
      updated = { ...call, agentId };
      break;
    }
  }
  const next = new Map(state);
  next.set(event.callSid, updated);
  return next;
}

/** Drops calls that ended more than keepMs ago. */
export function pruneEnded(state: LiveState, nowMs: number, keepMs: number): LiveState {
  let changed = false;
  const next = new Map(state);
  for (const [sid, call] of state) {
    if (call.endedAt !== null && nowMs - Date.parse(call.endedAt) > keepMs) {
      next.delete(sid);
      changed = true;
    }
  }
  return changed ? next : state;
}
