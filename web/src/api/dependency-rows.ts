// The Settings page's dependency rows: from GET /settings for admins, else from the public
// /readyz (fewer rows), in one shape.
import type { SettingsView } from './types.js';

export type DepKey = 'store' | 'redis' | 'agent' | 'twilioSigning' | 'twilioRest' | 'transcription';
export interface DepRow {
  key: DepKey;
  state: string;
  /** What it is (sqlite, flow, a host): shown beside the state, never a secret. */
  detail?: string | null;
}

/** The rows of GET /settings, or of /readyz when that is all a user may read. */
export function dependencyRows(
  settings: SettingsView | undefined,
  ready: Record<string, unknown> | undefined,
): DepRow[] {
  if (settings) {
    const d = settings.dependencies;
    const agent = [d.agent.kind, d.agent.model, d.agent.endpointHost].filter(Boolean).join(' · ');
    return [
      { key: 'store', state: d.store.state, detail: d.store.kind },
      { key: 'redis', state: d.redis.state },
      { key: 'agent', state: d.agent.state, detail: agent },
      { key: 'twilioSigning', state: d.twilioSigning.state },
      { key: 'twilioRest', state: d.twilioRest.state, detail: d.twilioRest.apiHost },
      {
        key: 'transcription',
        state: settings.transcription.enabled ? 'ok' : 'disabled',
        detail: settings.transcription.host,
      },
    ];
  }
  if (!ready) return [];
  const state = (name: string) => String(ready[name] ?? 'unknown');
  return [
    { key: 'store', state: state('db') },
    { key: 'redis', state: state('redis') },
    {
      key: 'agent',
      state: state('agent'),
      detail: typeof ready.agentKind === 'string' ? ready.agentKind : null,
    },
    { key: 'twilioSigning', state: state('twilio') },
  ];
}
