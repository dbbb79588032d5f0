// A drain's last step for a call still live at DRAIN_TIMEOUT_MS: instead of cutting it, a REST
// update gives the call a fresh <Connect><Stream> to the public host, so another instance (the
// load balancer no longer sends anything here) picks it up. The new stream's parameters carry
// where the agent was (`resume_agent`, `resume_step`) and when the old stream claimed the call
// (`handover`); its token signs them all, and the store's claim moves once (reclaimStream).
import type { Logger } from 'pino';
import type { ResumeState } from '../agents/agent.js';
import type { Store } from '../store/store.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { CallMetrics } from './call-metrics.js';
import { HANDOVER_PARAMETER, handoverToken } from '../twilio/stream-token.js';
import { handoverTwiml } from '../twilio/twiml.js';

const RESUME_AGENT = 'resume_agent';
const RESUME_STEP = 'resume_step';
/** Twilio's REST API answers in well under this; past it the caller goes to voicemail instead. */
const REST_TIMEOUT_MS = 5_000;

export interface HandoverCall {
  callSid: string;
  /** When this instance's stream claimed the call (the store's compare-and-swap value). */
  claimedAt: Date;
  /** The stream's own parameters (caller_verified …), carried to the new stream. */
  parameters: Readonly<Record<string, string>>;
  resume: ResumeState | undefined;
  /** Public https origin the call was reached on. */
  httpOrigin: string;
  twilioCalls: TwilioCallsApi | undefined;
  log: Logger;
}

export interface HandoverDeps {
  authToken: string;
  /** PUBLIC_BASE_URL's host, which wins over the origin the call came in on. */
  publicHost: string | undefined;
  store: Pick<Store, 'addCallEvent'>;
  count?: (result: 'offered' | 'failed') => void;
}

/** True when Twilio took the new TwiML (it then ends this stream itself). */
export async function handOverCall(call: HandoverCall, deps: HandoverDeps): Promise<boolean> {
  const origin = new URL(call.httpOrigin);
  const host = deps.publicHost ?? origin.host;
  const scheme = deps.publicHost ? 'https' : origin.protocol === 'http:' ? 'http' : 'https';
  const { call_sid: _ignored, ...carried } = call.parameters;
  const parameters: Record<string, string> = {
    ...carried,
    [HANDOVER_PARAMETER]: String(call.claimedAt.getTime()),
    ...(call.resume ? { [RESUME_AGENT]: call.resume.agent } : {}),
    ...(call.resume?.step !== undefined ? { [RESUME_STEP]: call.resume.step } : {}),
  };
  const token = handoverToken(deps.authToken, call.callSid, { call_sid: call.callSid, ...parameters });
  const twiml = handoverTwiml({ host, scheme, callSid: call.callSid, token, parameters });
  const detail = { agent: call.resume?.agent ?? null, step: call.resume?.step ?? null, host };
  const note = (name: string, extra: Record<string, unknown> = {}) =>
    deps.store
      .addCallEvent({
        callSid: call.callSid,
        kind: 'handover',
        name,
        detail: { ...detail, ...extra },
        at: new Date(),
      })
      .catch((err: unknown) => call.log.error({ err }, 'STORE_FAILED: addCallEvent'));
  if (!call.twilioCalls) {
    call.log.warn('HANDOVER_FAILED: no Twilio REST client; the caller goes to voicemail');
    deps.count?.('failed');
    await note('handover-failed', { reason: 'no REST client' });
    return false;
  }
  try {
    await withTimeout(call.twilioCalls.updateTwiml(call.callSid, twiml), REST_TIMEOUT_MS);
  } catch (err) {
    call.log.error({ err }, 'HANDOVER_FAILED: the REST update failed; the caller goes to voicemail');
    deps.count?.('failed');
    await note('handover-failed', { reason: (err as Error).message.slice(0, 200) });
    return false;
  }
  call.log.info(detail, 'HANDOVER_OFFERED: a new stream to the public host');
  deps.count?.('offered');
  await note('handover-offered');
  return true;
}

/** The new stream took the call over: the log, the metric and the call's timeline say so. */
export function noteHandoverResumed(
  deps: { store: Pick<Store, 'addCallEvent'>; metrics: CallMetrics },
  log: Logger,
  callSid: string,
  resume: ResumeState | undefined,
): void {
  log.info({ agent: resume?.agent, step: resume?.step }, 'HANDOVER_RESUMED');
  deps.metrics.handovers?.inc({ result: 'resumed' });
  deps.store
    .addCallEvent({
      callSid,
      kind: 'handover',
      name: 'handover-resumed',
      detail: { agent: resume?.agent ?? null, step: resume?.step ?? null },
      at: new Date(),
    })
    .catch((err: unknown) => log.error({ err }, 'STORE_FAILED: addCallEvent'));
}

/** The handover parameters of a start frame: what the old instance said, before checking. */
export function handoverOf(
  parameters: Readonly<Record<string, string>>,
): { claimedAt: Date; resume: ResumeState | undefined } | undefined {
  const raw = parameters[HANDOVER_PARAMETER];
  if (raw === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  const agent = parameters[RESUME_AGENT];
  const step = parameters[RESUME_STEP];
  return {
    claimedAt: new Date(ms),
    resume: agent ? { agent, ...(step !== undefined ? { step } : {}) } : undefined,
  };
}

/** The parameters an agent sees: the handover's own are the session's business. */
export function withoutHandover(parameters: Readonly<Record<string, string>>): Record<string, string> {
  const { [HANDOVER_PARAMETER]: _h, [RESUME_AGENT]: _a, [RESUME_STEP]: _s, ...rest } = parameters;
  return rest;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
