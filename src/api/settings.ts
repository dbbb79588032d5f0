// GET /api/v1/settings (admin): the answer to "why was that call silent" without a log — each
// dependency's readiness, the host the TwiML gives Twilio, the last stream errors by Twilio code.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { CrmStore } from '../store/crm-store.js';
import { STREAM_PATH } from '../twilio/twiml.js';
import { routeSchema } from './openapi.js';
import { requireRole } from './principal.js';
import { settingsView, type SettingsView } from './settings-view.js';

type State = SettingsView['dependencies']['store']['state'];

/** What /readyz finds, handed in by the server (which owns the checks). */
export interface Readiness {
  db: State;
  twilio: State;
  agent: State;
  agentKind: string;
  redis: State;
  draining: boolean;
  ready: boolean;
  /** Calls this instance holds against its limit; full is still ready (new calls go elsewhere). */
  capacity: { state: 'ok' | 'full'; calls: number; maxCalls: number };
}

export interface SettingsDeps {
  config: Pick<
    Config,
    | 'publicHost'
    | 'publicScheme'
    | 'timezone'
    | 'recordCalls'
    | 'databaseUrl'
    | 'agent'
    | 'openai'
    | 'twilioApiBaseUrl'
  >;
  store: Pick<CrmStore, 'recentStreamErrors'>;
  readiness(): Promise<Readiness>;
  /** Whether the server has Twilio REST credentials (account SID and auth token). */
  twilioRest: boolean;
  /** Whether voicemails and answers are transcribed (TRANSCRIBE_URL), calls analysed, and where to. */
  transcription: { enabled: boolean; analysis: boolean; host: string | null };
  version: string;
}

const STREAM_ERRORS = 20;

/** The host of a URL, never its path, query or userinfo (a key could ride in any of them). */
function hostOf(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

export function settingsOf(
  deps: SettingsDeps,
  ready: Readiness,
  errors: Awaited<ReturnType<CrmStore['recentStreamErrors']>>,
): SettingsView {
  const { config } = deps;
  const host = config.publicHost ?? null;
  const realtime = config.agent === 'openai-realtime';
  return {
    version: deps.version,
    ready: ready.ready,
    draining: ready.draining,
    capacity: ready.capacity,
    dependencies: {
      store: { state: ready.db, kind: config.databaseUrl ? 'postgresql' : 'sqlite' },
      redis: { state: ready.redis },
      agent: {
        state: ready.agent,
        kind: ready.agentKind,
        model: realtime ? config.openai.model : null,
        endpointHost: realtime ? hostOf(config.openai.realtimeUrl) : null,
      },
      twilioSigning: { state: ready.twilio, source: ready.twilio === 'ok' ? 'env' : 'local' },
      twilioRest: {
        state: deps.twilioRest ? 'ok' : 'unconfigured',
        apiHost: config.twilioApiBaseUrl ? hostOf(config.twilioApiBaseUrl) : 'api.twilio.com',
      },
    },
    publicHost: host,
    // Twilio opens media streams over TLS only, whatever scheme the public URL was given with.
    streamUrl: host ? `wss://${host}${STREAM_PATH}` : null,
    webhookUrl: host ? `${config.publicScheme ?? 'https'}://${host}/webhook/incoming_call` : null,
    timezone: config.timezone,
    agentKind: ready.agentKind,
    recordCalls: config.recordCalls,
    transcription: deps.transcription,
    streamErrors: errors.map((e) => ({
      at: e.at.toISOString(),
      callSid: e.callSid,
      twilioCode: e.twilioCode,
      message: e.message,
      streamSid: e.streamSid,
      test: e.isTest,
    })),
  };
}

export async function settingsRoutes(scope: FastifyInstance, deps: SettingsDeps): Promise<void> {
  scope.get(
    '/settings',
    {
      onRequest: requireRole('admin'),
      schema: routeSchema({
        summary: 'Server settings and health',
        description:
          'Readiness of each dependency, the public host the TwiML uses, whether transcription is on ' +
          'and the last stream errors Twilio reported (code, time, call). No secrets: credentials ' +
          'are reported as present or not.',
        tags: ['settings'],
        responses: { 200: settingsView },
      }),
    },
    async () => {
      const [ready, errors] = await Promise.all([
        deps.readiness(),
        deps.store.recentStreamErrors(STREAM_ERRORS),
      ]);
      return settingsOf(deps, ready, errors);
    },
  );
}
