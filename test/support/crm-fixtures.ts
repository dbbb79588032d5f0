// Builds calls in the shape each CallResult describes, through the Store's own write methods, for
// the CRM contract and API tests.
import type { CallResult } from '../../src/store/crm-store.js';
import type { Store } from '../../src/store/store.js';
import { at, phone, sid } from '../store/contract/ids.js';

export interface FixtureCall {
  callSid: string;
  from: string;
  startedAt: Date;
}

export interface CallSpec {
  /** ms after the contract's base instant */
  startMs?: number;
  /** an absolute start instead (wins over startMs) */
  startedAt?: Date;
  from?: string;
  direction?: string;
  result?: CallResult;
  durationSec?: number;
  /** ms after start when the call ended (terminal results only); default 60 s */
  endMs?: number;
  summary?: string;
  transcript?: string;
  lead?: Record<string, unknown>;
  test?: boolean;
  agentId?: string;
}

/** One call, ended (unless live) the way `result` says. */
export async function makeCall(store: Store, spec: CallSpec = {}): Promise<FixtureCall> {
  const callSid = sid();
  const from = spec.from ?? phone();
  const startedAt = spec.startedAt ?? at(spec.startMs ?? 0);
  const result = spec.result ?? 'answered';
  await store.startCall({
    callSid,
    fromNumber: from,
    toNumber: '+97231234567',
    direction: spec.direction ?? 'inbound',
    at: startedAt,
  });
  const end = new Date(startedAt.getTime() + (spec.endMs ?? 60_000));
  if (result !== 'abandoned' && result !== 'live') {
    await store.applyCallStatus({ callSid, status: 'in-progress', at: new Date(startedAt.getTime() + 1000) });
    await store.claimStream(callSid, new Date(startedAt.getTime() + 2000));
    const streamSid = sid('MZ');
    await store.openStream({ streamSid, callSid, startedAt: new Date(startedAt.getTime() + 2000) });
    await store.closeStream({
      streamSid,
      endedAt: end,
      framesIn: 10,
      bytesIn: 1600,
      framesOut: 10,
      bytesOut: 1600,
      marksOut: 1,
      marksAcked: 1,
      badFrames: 0,
      closeCode: 1000,
      closeReason: 'done',
    });
  }
  if (result === 'transferred') await store.setCallOutcome(callSid, 'transferred: sales');
  if (result === 'voicemail') {
    await store.upsertRecording({
      recordingSid: sid('RE'),
      callSid,
      url: `https://api.twilio.com/2010-04-01/Accounts/${sid('AC')}/Recordings/${sid('RE')}`,
      durationSec: 5,
      status: 'completed',
      source: 'voicemail',
      at: end,
    });
  }
  if (result !== 'live') {
    await store.applyCallStatus({
      callSid,
      status: result === 'abandoned' ? 'canceled' : 'completed',
      durationSec: spec.durationSec ?? null,
      at: end,
    });
  }
  if (spec.summary) await store.setCallSummary(callSid, spec.summary);
  if (spec.transcript)
    await store.addTranscriptTurn({ callSid, role: 'caller', text: spec.transcript, at: end });
  if (spec.lead) {
    const call = await store.getCall(callSid);
    await store.saveLead({ callSid, contactId: call?.contactId ?? null, fields: spec.lead, at: end });
  }
  if (spec.test) await store.setCallTest(callSid, true);
  if (spec.agentId) await store.markAgentAnswered(callSid, spec.agentId, end);
  return { callSid, from, startedAt };
}
