// The minimal agent: listens to the caller and says nothing. The telephony core runs on it until
// the flow and OpenAI Realtime agents are plugged in; tests use it as the simplest real agent.
import type { AgentFactory, VoiceAgent } from './agent.js';

export function listenerAgentFactory(): AgentFactory {
  return {
    name: 'listener',
    health: () => 'ok',
    create: (): VoiceAgent => ({
      start: async () => undefined,
      onAudio: () => undefined,
      onDtmf: () => undefined,
      close: async () => undefined,
    }),
  };
}
