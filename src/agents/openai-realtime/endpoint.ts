// Where and how to reach a Realtime server: the WebSocket URL (model in the query unless the URL
// names one) and the auth header — `Authorization: Bearer` for OpenAI, `api-key` for Azure hosts.

export type RealtimeProtocol = 'ga' | 'beta';

export interface RealtimeEndpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly provider: 'openai' | 'azure' | 'compatible';
}

/** Azure OpenAI / AI Foundry resource hosts take the key in an `api-key` header, not a bearer token. */
const AZURE_HOST = /\.(openai\.azure\.com|cognitiveservices\.azure\.com)$/i;

export function isAzureHost(hostname: string): boolean {
  return AZURE_HOST.test(hostname);
}

export function realtimeEndpoint(opts: {
  realtimeUrl: string;
  model: string;
  apiKey: string | undefined;
  protocol?: RealtimeProtocol;
}): RealtimeEndpoint {
  const url = new URL(opts.realtimeUrl);
  // Azure's older URLs select the model with `deployment=`; OpenAI's and Azure's v1 with `model=`.
  if (!url.searchParams.has('model') && !url.searchParams.has('deployment')) {
    url.searchParams.set('model', opts.model);
  }
  const headers: Record<string, string> = {};
  const azure = isAzureHost(url.hostname);
  if (opts.apiKey) {
    if (azure) headers['api-key'] = opts.apiKey;
    else headers.Authorization = `Bearer ${opts.apiKey}`;
  }
  // Without this header OpenAI speaks the GA protocol; with it, the older beta one.
  if (opts.protocol === 'beta') headers['OpenAI-Beta'] = 'realtime=v1';
  const provider = azure ? 'azure' : url.hostname === 'api.openai.com' ? 'openai' : 'compatible';
  return { url: url.toString(), headers, provider };
}

/** Ready to call: a key, or a non-OpenAI endpoint that may not need one (a local compatible server). */
export function isRealtimeConfigured(config: { apiKey: string | undefined; realtimeUrl: string }): boolean {
  if (config.apiKey) return true;
  try {
    return new URL(config.realtimeUrl).hostname !== 'api.openai.com';
  } catch {
    return false;
  }
}
