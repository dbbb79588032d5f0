// Composes the flow agent: the loaded flow, offline Hebrew prompts (rendered once, cached as
// μ-law), a VAD per call, answer clips written as WAV and recorded in the store, leads, and the
// returning-caller lookup (started while the greeting plays, with the personal line's render).
import type { AgentDeps, AgentFactory, AgentHealth, CallInfo } from '../agent.js';
import { lookupReturningCaller, type ReturningCaller } from '../returning-caller.js';
import { renderPromptCached } from '../../audio/tts.js';
import { Vad } from '../../audio/vad.js';
import { writeWav } from '../../audio/wav.js';
import { writeAtomically } from '../../audio/tts.js';
import { FlowAgent, type FlowServices, type FrameVad } from './flow-agent.js';
import { flowPrompts, loadFlow, returningLine } from './load-flow.js';
import { localRecordingSid } from '../../store/recording-sid.js';
import { pathInside } from '../../data-path.js';
import { keepRecording } from '../../blobs/keep-recording.js';

/** Bound on the contact lookup: past it the caller gets the plain flow. */
const LOOKUP_TIMEOUT_MS = 1000;
/** A lookup started for a call whose stream never came is dropped after this long. */
const LOOKUP_TTL_MS = 30_000;

/**
 * The VAD on the 20 ms μ-law frames Twilio sends. 100 ms of speech confirms a start: fast enough
 * for barge-in, and on the labelled set (bench/vad-eval.ts --start-ms 100) still 0 false triggers
 * per minute on noise alone at every SNR tried.
 */
export function mulawFrameVad(): FrameVad {
  let event: 'speech-start' | 'speech-end' | undefined;
  const vad = new Vad({ startMs: 100, stopMs: 700, onEvent: (e) => (event = e.type) });
  return {
    push(mulaw) {
      event = undefined;
      vad.pushMulaw(mulaw);
      return event;
    },
  };
}

export async function createFlowAgentFactory(deps: AgentDeps): Promise<AgentFactory> {
  const { config, log, store, router } = deps;
  const flow = await loadFlow(config.flowFile);
  const cacheDir = config.promptCacheDir;
  const prompt = async (text: string) => {
    const audio = await renderPromptCached(text, cacheDir, { voice: flow.voice });
    return Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
  };

  let health: AgentHealth = 'ok';
  const texts = flowPrompts(flow);
  const started = Date.now();
  // Rendered in the background: the server answers at once, the first caller rarely waits.
  void Promise.all(texts.map(prompt)).then(
    () =>
      log.info({ flow: flow.name, prompts: texts.length, ms: Date.now() - started }, 'FLOW_PROMPTS_READY'),
    (err: unknown) => {
      health = 'error';
      log.error({ err, flow: flow.name }, 'FLOW_PROMPTS_FAILED: the flow agent cannot speak');
    },
  );

  /** Lookups started by prewarm(), by CallSid, until the call's agent takes its own. */
  const lookups = new Map<string, { result: Promise<ReturningCaller | undefined>; timer: NodeJS.Timeout }>();
  const lookUp = (call: Pick<CallInfo, 'callSid' | 'from'>): Promise<ReturningCaller | undefined> =>
    lookupReturningCaller(store, call, LOOKUP_TIMEOUT_MS, (err) =>
      log.warn({ err, callSid: call.callSid }, 'FLOW_CALLER_LOOKUP_FAILED: the plain flow plays'),
    ).then((returning) => {
      // The personal line renders now, so it is ready (or cached) when the first step plays.
      const line = returningLine(flow, returning?.firstName ?? null);
      if (line) prompt(line).catch(() => undefined); // the agent renders it again and says why
      return returning;
    });
  const drop = (callSid: string): void => {
    clearTimeout(lookups.get(callSid)?.timer);
    lookups.delete(callSid);
  };

  const services: FlowServices = {
    prompt,
    createVad: mulawFrameVad,
    router,
    async saveClip(callSid, field, mulaw) {
      const recordingSid = localRecordingSid();
      // The field comes from the flow file, the CallSid from the stream: neither may leave DATA_DIR.
      const file = pathInside(config.dataDir, 'calls', callSid, `${field}-${recordingSid}.wav`);
      await writeAtomically(file, writeWav({ encoding: 'mulaw', sampleRate: 8000, samples: mulaw }));
      const row = {
        recordingSid,
        callSid,
        url: file,
        durationSec: Math.round(mulaw.length / 8000),
        status: 'completed',
        source: 'answer',
        at: new Date(),
      } as const;
      await store.upsertRecording(row);
      // The caller's next step does not wait on an upload: the row names the local file until
      // the blob store has it (an S3 PUT), then the blob.
      keepRecording(deps.blobs, config.dataDir, file)
        .then((url) => (url === file ? undefined : store.upsertRecording({ ...row, url })))
        .catch((err: unknown) =>
          log.error({ err, callSid }, 'FLOW_ANSWER_NOT_KEPT: served by this instance only'),
        );
      return recordingSid;
    },
    async saveLeadFields(callSid, fields) {
      const call = await store.getCall(callSid);
      await store.saveLead({ callSid, contactId: call?.contactId ?? null, fields, at: new Date() });
    },
    returningCaller(call) {
      const started = lookups.get(call.callSid)?.result;
      drop(call.callSid);
      return started ?? lookUp(call);
    },
  };

  return {
    name: 'flow',
    health: () => health,
    prewarm(call) {
      if (lookups.has(call.callSid)) return;
      const timer = setTimeout(() => lookups.delete(call.callSid), LOOKUP_TTL_MS);
      timer.unref();
      lookups.set(call.callSid, { result: lookUp(call), timer });
    },
    create: () => new FlowAgent(flow, services),
    release: drop,
    stateSizes: () => ({ flow_lookups: lookups.size }),
    async close() {
      for (const callSid of [...lookups.keys()]) drop(callSid);
    },
  };
}
