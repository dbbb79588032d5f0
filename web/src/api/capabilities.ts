// What this server's API offers, read once from its OpenAPI document, so buttons for routes a
// server does not have yet (hang up, transfer, agents, test call) stay hidden instead of failing.
import { API } from './client.js';

export interface Capabilities {
  has(method: 'get' | 'post' | 'patch' | 'delete', path: string): boolean;
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, unknown>>;
}

/** `/calls/{callSid}/hangup` and `/calls/:callSid/hangup` name the same route. */
function normalise(path: string): string {
  return path.replace(/\{[^}]+\}/g, ':').replace(/:[A-Za-z0-9_]+/g, ':');
}

export function capabilitiesOf(doc: OpenApiDoc): Capabilities {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const full = path.startsWith(API) ? path : `${API}${path}`;
    for (const method of Object.keys(item)) routes.add(`${method.toLowerCase()} ${normalise(full)}`);
  }
  return { has: (method, path) => routes.has(`${method} ${normalise(`${API}${path}`)}`) };
}

export const NO_CAPABILITIES: Capabilities = { has: () => false };

export async function loadCapabilities(): Promise<Capabilities> {
  try {
    const response = await fetch(`${API}/openapi.json`, { credentials: 'same-origin' });
    if (!response.ok) return NO_CAPABILITIES;
    return capabilitiesOf((await response.json()) as OpenApiDoc);
  } catch {
    return NO_CAPABILITIES;
  }
}
