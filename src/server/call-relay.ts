// What must reach the instance holding a call, over the bus: the call ended (a terminal status
// callback taken by any instance ends the stream and frees a pre-warmed session wherever they
// are), a stream started elsewhere (the pre-warm this instance made for it is released), and the
// dashboard's actions (hang up, transfer), run by the instance whose session is live. None of it
// is on the per-frame path: these are a few messages per call.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AgentFactory } from '../agents/agent.js';
import { subscribeParsed, type EventBus } from '../bus/event-bus.js';
import { subscribeLiveEvents } from '../bus/live-events.js';
import { hangUpCall, transferCall } from '../call/call-actions.js';
import type { CallSession } from '../call/call-session.js';
import type { Router } from '../routing/router.js';

export const CALL_ENDED_TOPIC = 'call.ended';
export const CALL_ACTION_TOPIC = 'call.action';

const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/);
const callEnded = z.object({ callSid });
const callAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('hangup'), callSid, by: z.string().max(100) }),
  z.object({
    action: z.literal('transfer'),
    callSid,
    by: z.string().max(100),
    department: z.string().max(100).optional(),
    person: z.string().max(100).optional(),
  }),
]);
export type CallAction = z.infer<typeof callAction>;

/** Asks whichever instance holds the call's stream to hang up or transfer it (the dashboard's routes). */
export function requestCallAction(bus: EventBus, action: CallAction): boolean {
  return bus.publish(CALL_ACTION_TOPIC, action);
}

/** Tells every instance the call is over (a terminal status callback was applied). */
export function announceCallEnded(bus: EventBus, sid: string): boolean {
  return bus.publish(CALL_ENDED_TOPIC, { callSid: sid });
}

export interface CallRelayDeps {
  bus: EventBus;
  sessions: ReadonlySet<CallSession>;
  agents: AgentFactory;
  /** Routes a dashboard transfer; without one a transfer request goes to voicemail. */
  router?: Router;
  log: Logger;
}

/** Subscribes this instance's handlers; returns the function that unsubscribes them. */
export function relayCalls(deps: CallRelayDeps): () => void {
  const { bus, log } = deps;
  const invalid = (topic: string) => log.warn({ topic }, 'BUS_MESSAGE_INVALID: dropped');
  const holding = (sid: string) => [...deps.sessions].filter((s) => s.sids.callSid === sid);
  const release = (sid: string) => {
    try {
      deps.agents.release?.(sid);
    } catch (err) {
      log.error({ err, callSid: sid }, 'AGENT_RELEASE_FAILED');
    }
  };

  const offs = [
    subscribeParsed(
      bus,
      CALL_ENDED_TOPIC,
      callEnded,
      ({ callSid: sid }) => {
        for (const s of holding(sid)) s.close(1000, 'call ended');
        release(sid);
      },
      invalid,
    ),
    // The instance whose session started the stream has claimed its own pre-warm (or has none);
    // any other instance's pre-warm for the call will never be claimed: release it now, not at its TTL.
    subscribeLiveEvents(bus, log, (event) => {
      if (event.type !== 'stream.started' || holding(event.callSid).length > 0) return;
      release(event.callSid);
    }),
    subscribeParsed(
      bus,
      CALL_ACTION_TOPIC,
      callAction,
      (action) => {
        const actions = holding(action.callSid)
          .map((s) => s.liveActions())
          .find((a) => a !== undefined);
        if (!actions) return; // another instance holds it, or the call is over
        actions.log.info({ action: action.action, by: action.by }, 'CALL_ACTION');
        void runAction(action, actions, deps.router).catch((err: unknown) =>
          actions.log.error({ err, action: action.action }, 'CALL_ACTION_FAILED'),
        );
      },
      invalid,
    ),
  ];
  return () => offs.forEach((off) => off());
}

async function runAction(
  action: CallAction,
  actions: NonNullable<ReturnType<CallSession['liveActions']>>,
  router: Router | undefined,
): Promise<void> {
  if (action.action === 'hangup') return hangUpCall(actions, 'dashboard', `hangup: dashboard (${action.by})`);
  if (!router) return transferCall(actions, { kind: 'voicemail', reason: 'no-router', prompt: null });
  const call = await actions.store.getCall(action.callSid);
  const route = await router.route({
    callSid: action.callSid,
    from: call?.fromNumber ?? null,
    ...(action.department ? { department: action.department } : {}),
    ...(action.person ? { person: action.person } : {}),
  });
  await transferCall(
    actions,
    route.kind === 'ring'
      ? { kind: 'ring', route }
      : { kind: 'voicemail', reason: route.reason, prompt: route.prompt },
  );
}
