// Picks the brain behind calls from the configuration (AGENT=flow | openai-realtime).
import type { AgentDeps, AgentFactory } from './agent.js';
import { createFlowAgentFactory } from './flow/flow-factory.js';
import { createOpenAiRealtimeFactory, loadInstructions } from './openai-realtime/index.js';
import { renderPromptCached } from '../audio/tts.js';
import { capAiSessions, type SessionCapMetrics } from './session-cap.js';

/** Said, offline, when the AI provider fails mid-call, before the caller reaches voicemail. */
const APOLOGY_HE = 'סליחה, יש לנו תקלה זמנית. אנא השאירו הודעה ונחזור אליכם.';

/**
 * AGENT=openai-realtime is capped at MAX_AI_SESSIONS: the flow agent answers the calls beyond it
 * (and resumes the calls a draining instance had on it).
 */
export async function createAgentFactory(
  deps: AgentDeps & { metrics?: SessionCapMetrics },
): Promise<AgentFactory> {
  const { config, log, store, router } = deps;
  switch (config.agent) {
    case 'flow':
      return createFlowAgentFactory(deps);
    case 'openai-realtime': {
      const apology = await renderPromptCached(APOLOGY_HE, config.promptCacheDir).then(
        (audio) => Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength),
        (err: unknown) => {
          log.error({ err }, 'APOLOGY_PROMPT_FAILED: a provider failure will go to voicemail without it');
          return undefined;
        },
      );
      const realtime = createOpenAiRealtimeFactory({
        config: config.openai,
        store,
        router,
        log,
        instructions: await loadInstructions(config.openai.instructionsFile),
        directFrames: config.wsDirectFrames,
        timings: { idleRepromptMs: config.idle.repromptMs, idleMaxReprompts: config.idle.maxReprompts },
        ...(apology ? { apologyAudio: apology } : {}),
      });
      return capAiSessions(realtime, await createFlowAgentFactory(deps), {
        max: config.ops.maxAiSessions,
        log,
        metrics: deps.metrics ?? { capacityRejections: { inc: () => undefined } },
      });
    }
  }
}
