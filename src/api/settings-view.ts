// What GET /api/v1/settings answers: what this server runs with and whether each dependency is
// ready, the host the TwiML names, the last stream errors. No secret ever: for credentials only
// whether they are present and where they come from.
import { z } from 'zod';

const state = z.enum(['ok', 'disabled', 'error', 'unconfigured']);

export const settingsView = z.object({
  version: z.string().describe('the AgentLocator package version'),
  ready: z.boolean().describe('what /readyz answers 200 for'),
  draining: z.boolean(),
  capacity: z
    .object({ state: z.enum(['ok', 'full']), calls: z.number().int(), maxCalls: z.number().int() })
    .describe('calls this instance holds against its limit; full is still ready'),
  dependencies: z.object({
    store: z.object({ state, kind: z.enum(['sqlite', 'postgresql']) }),
    redis: z.object({ state }).describe('disabled when REDIS_URL is not set'),
    agent: z.object({
      state,
      kind: z.string().describe('flow or openai-realtime'),
      model: z.string().nullable().describe('the Realtime model, when the agent is openai-realtime'),
      endpointHost: z.string().nullable().describe('the host the Realtime socket goes to'),
    }),
    twilioSigning: z
      .object({ state, source: z.enum(['env', 'local']) })
      .describe('the token webhooks and streams are checked with: TWILIO_AUTH_TOKEN, or the local one'),
    twilioRest: z
      .object({ state, apiHost: z.string().nullable() })
      .describe('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN both set: hang-up, transfer, voicemail fetches'),
  }),
  publicHost: z.string().nullable().describe('PUBLIC_BASE_URL / PUBLIC_HOST; null = each webhook’s Host'),
  streamUrl: z.string().nullable().describe('the <Stream url> the TwiML names, when the host is fixed'),
  webhookUrl: z.string().nullable().describe('the URL to set as the number’s voice webhook'),
  timezone: z.string(),
  agentKind: z.string(),
  recordCalls: z.boolean(),
  transcription: z
    .object({
      enabled: z.boolean().describe('TRANSCRIBE_URL set: voicemails and answers become text'),
      analysis: z.boolean().describe('LLM_URL set too: each call gets a summary and lead fields'),
      host: z.string().nullable().describe('the host the audio goes to (never a key)'),
    })
    .describe('off when TRANSCRIBE_URL is unset: no audio leaves the machine'),
  streamErrors: z
    .array(
      z.object({
        at: z.iso.datetime(),
        callSid: z.string(),
        twilioCode: z.number().int().nullable(),
        message: z.string().nullable().describe('Twilio’s StreamError text'),
        streamSid: z.string().nullable(),
        test: z.boolean(),
      }),
    )
    .describe('the last stream errors Twilio reported, newest first'),
});
export type SettingsView = z.infer<typeof settingsView>;
