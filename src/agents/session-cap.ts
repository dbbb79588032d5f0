// MAX_AI_SESSIONS: at most that many calls on the Realtime agent at once (each is an upstream
// session, paid and rate-limited by the provider); a call beyond it is answered by the offline flow
// agent instead of waiting or failing. Pre-warms count too (each opens a session), so a webhook
// burst cannot open more sessions than the cap while the greetings play.
import type { Logger } from 'pino';
import type { AgentFactory, CallInfo, VoiceAgent } from './agent.js';

export interface SessionCapMetrics {
  readonly capacityRejections: { inc(labels: { limit: string }): void };
}

export function capAiSessions(
  ai: AgentFactory,
  fallback: AgentFactory,
  opts: { max: number; log: Logger; metrics: SessionCapMetrics; prewarmTtlMs?: number },
): AgentFactory {
  /** Calls holding (or about to hold) an AI session: pre-warmed and live. */
  const holding = new Set<string>();
  /** A pre-warm whose stream never comes here stops holding after this (as the pool's TTL). */
  const expiry = new Map<string, NodeJS.Timeout>();
  const unexpire = (callSid: string) => {
    clearTimeout(expiry.get(callSid));
    expiry.delete(callSid);
  };
  const overCap = (callSid: string) => !holding.has(callSid) && holding.size >= opts.max;

  const toFlow = (call: CallInfo): VoiceAgent => {
    opts.metrics.capacityRejections.inc({ limit: 'ai-sessions' });
    opts.log.warn(
      { callSid: call.callSid, aiSessions: holding.size, max: opts.max },
      'AI_SESSIONS_FULL: MAX_AI_SESSIONS reached, the flow agent answers this call',
    );
    return fallback.create(call);
  };

  return {
    name: ai.name,
    // The fallback is part of the service: it failing is an error even while the AI is fine.
    health: () => (fallback.health() === 'error' ? 'error' : ai.health()),
    prewarm(call) {
      // Only the agent the call will likely get prepares (the flow's lookup renders a line).
      if (overCap(call.callSid)) return fallback.prewarm?.(call);
      holding.add(call.callSid);
      const timer = setTimeout(() => {
        expiry.delete(call.callSid);
        holding.delete(call.callSid);
      }, opts.prewarmTtlMs ?? 30_000);
      timer.unref();
      expiry.set(call.callSid, timer);
      ai.prewarm?.(call);
    },
    create(call) {
      unexpire(call.callSid);
      // A call handed over from the flow agent resumes on the flow agent, at its step.
      if (call.resume?.agent === 'flow') {
        holding.delete(call.callSid);
        ai.release?.(call.callSid);
        return fallback.create(call);
      }
      if (overCap(call.callSid)) return toFlow(call);
      holding.add(call.callSid);
      let agent: VoiceAgent;
      try {
        agent = ai.create(call);
      } catch (err) {
        holding.delete(call.callSid);
        throw err;
      }
      // Wrapped at close only: the per-frame onAudio stays the agent's own method.
      const close = agent.close.bind(agent);
      agent.close = async (reason) => {
        holding.delete(call.callSid);
        return close(reason);
      };
      fallback.release?.(call.callSid);
      return agent;
    },
    release(callSid) {
      unexpire(callSid);
      holding.delete(callSid);
      ai.release?.(callSid);
      fallback.release?.(callSid);
    },
    async close() {
      for (const callSid of [...expiry.keys()]) unexpire(callSid);
      holding.clear();
      await Promise.all([ai.close?.(), fallback.close?.()]);
    },
  };
}
