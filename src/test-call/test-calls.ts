// The server's test calls: at most one per admin session and a few in all, placed by one
// in-process Twilio emulator over the server's own loopback address, signed with the server's
// token as Twilio would sign them; each call is marked as a test in the CRM, and its REST API
// (the agent's hang-up and transfer) is the emulator's, since no real Twilio knows the call.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { CallEvents } from '../call/call-events.js';
import { TwilioEmulator } from '../emulator/index.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import { TEST_CALL_CLOSE } from './protocol.js';
import { TestCall, type TestCallTarget } from './test-call.js';

/** What marks a call as a test in the store (the CRM's calls list filters on it). */
export interface TestCallMarker {
  setCallTest(callSid: string, isTest: boolean): Promise<void>;
}

export interface TestCallsOptions {
  authToken: string;
  /** The account the emulated calls carry; a local placeholder when Twilio is not configured. */
  accountSid: string | undefined;
  /** The configured public host: the URLs are signed for it and dialled on the loopback address. */
  publicHost: string | undefined;
  log: Logger;
  store: TestCallMarker;
  events: CallEvents;
  maxDurationMs?: number;
  maxLive?: number;
}

export type TestCallRefusal = 'busy' | 'full';

/** Twilio's default is 4 hours; a test call from the dashboard gets ten minutes. */
export const TEST_CALL_MAX_DURATION_MS = 10 * 60 * 1000;
const MAX_LIVE_TEST_CALLS = 4;
/** "test call" in hex: recognisable in logs when no TWILIO_ACCOUNT_SID is set. */
const LOCAL_ACCOUNT_SID = `AC${'7e57ca11'.repeat(4)}`;

/** The webhook URLs a test call uses, and how the emulator reaches them from inside the server. */
export function testCallTarget(
  publicHost: string | undefined,
  loopbackOrigin: string,
): { target: TestCallTarget; networkMap: Record<string, string> } {
  const publicOrigin = publicHost ? `https://${publicHost}` : loopbackOrigin;
  return {
    target: {
      webhookUrl: `${publicOrigin}/webhook/incoming_call`,
      statusCallbackUrl: `${publicOrigin}/webhook/call_status`,
      publicOrigin,
    },
    networkMap: publicHost ? { [publicOrigin]: loopbackOrigin } : {},
  };
}

export class TestCalls {
  private readonly bySession = new Map<string, TestCall>();
  private readonly byCallSid = new Map<string, TestCall>();
  private readonly unsubscribe: () => void;
  private readonly maxDurationMs: number;
  private readonly maxLive: number;

  /** Entries by CallSid (a gauge in /metrics): each should go with its session. */
  get byCallSidSize(): number {
    return this.byCallSid.size;
  }

  constructor(private readonly opts: TestCallsOptions) {
    this.maxDurationMs = opts.maxDurationMs ?? TEST_CALL_MAX_DURATION_MS;
    this.maxLive = opts.maxLive ?? MAX_LIVE_TEST_CALLS;
    // The webhook has just stored the call: mark it before the dashboard lists it.
    this.unsubscribe = opts.events.subscribe((event) => {
      if (event.type === 'call.started' && this.byCallSid.has(event.callSid)) this.mark(event.callSid);
    });
  }

  /** Why a new test call for this session would be refused, if it would. */
  refusal(sessionKey: string): TestCallRefusal | undefined {
    if (this.bySession.has(sessionKey)) return 'busy';
    if (this.bySession.size >= this.maxLive) return 'full';
    return undefined;
  }

  /** Places a test call with `socket` as the caller's phone; closes it 1008 if refused after all. */
  start(socket: WebSocket, who: { sessionKey: string; userId: number; loopbackOrigin: string }): void {
    const refused = this.refusal(who.sessionKey);
    if (refused) {
      this.opts.log.warn({ userId: who.userId, refused }, 'TEST_CALL_REFUSED');
      socket.close(
        TEST_CALL_CLOSE.POLICY,
        refused === 'busy' ? 'a test call is already live' : 'too many test calls',
      );
      return;
    }
    const { target, networkMap } = testCallTarget(this.opts.publicHost, who.loopbackOrigin);
    // One emulator per call: it keeps every call it placed, so a shared one would keep them all.
    const emulator = new TwilioEmulator({
      authToken: this.opts.authToken,
      accountSid: this.opts.accountSid ?? LOCAL_ACCOUNT_SID,
      networkMap,
    });
    const call = new TestCall({
      socket,
      place: (options) => emulator.placeCall(options),
      target,
      log: this.opts.log,
      maxDurationMs: this.maxDurationMs,
    });
    this.bySession.set(who.sessionKey, call);
    this.byCallSid.set(call.callSid, call);
    this.opts.log.info(
      { callSid: call.callSid, userId: who.userId, webhook: target.webhookUrl },
      'TEST_CALL_START',
    );
    void call.ended.then(() => {
      this.bySession.delete(who.sessionKey);
      this.byCallSid.delete(call.callSid);
      // Again at the end: the first mark is skipped if the store missed the webhook's budget.
      this.mark(call.callSid);
    });
  }

  /** The REST API for a test call (the emulator's); undefined for every other call. */
  restFor(callSid: string): TwilioCallsApi | undefined {
    if (!this.byCallSid.has(callSid)) return undefined;
    const live = (sid: string) => this.byCallSid.get(sid)?.emulated;
    return {
      // As Twilio's: ending a call that is already over is not an error.
      hangUp: async (sid) => {
        live(sid)?.applyUpdate({ status: 'completed' });
      },
      updateTwiml: async (sid, twiml) => {
        if (!live(sid)?.applyUpdate({ twiml })) throw new Error(`test call ${sid} is not in progress`);
      },
    };
  }

  get size(): number {
    return this.bySession.size;
  }

  /** Ends every test call (the server is stopping) and stops listening for calls. */
  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.bySession.values()].map((call) => call.stop()));
  }

  private mark(callSid: string): void {
    this.opts.store
      .setCallTest(callSid, true)
      .catch((err: unknown) => this.opts.log.error({ err, callSid }, 'TEST_CALL_MARK_FAILED'));
  }
}
