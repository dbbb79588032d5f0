// Opens one configured Realtime session: connect once its settings are known (they may wait on a
// store lookup), and send session.update the moment the socket opens (the server applies events
// in order, so caller audio may follow at once).
import type { Logger } from 'pino';
import { sessionUpdate, type SessionSettings } from './client-events.js';
import type { RealtimeEndpoint, RealtimeProtocol } from './endpoint.js';
import type { UpstreamSession } from './prewarm-pool.js';
import { RealtimeClient } from './realtime-client.js';

export interface UpstreamOptions {
  endpoint: RealtimeEndpoint;
  protocol: RealtimeProtocol;
  connectTimeoutMs: number;
  heartbeatMs: number;
  /** WS_DIRECT_FRAMES (RealtimeClientOptions.directFrames). */
  directFrames?: boolean;
}

export function openUpstream(
  opts: UpstreamOptions,
  settings: SessionSettings | Promise<SessionSettings>,
  log: Logger,
): UpstreamSession {
  let update = '';
  const client = new RealtimeClient({
    endpoint: opts.endpoint,
    connectTimeoutMs: opts.connectTimeoutMs,
    heartbeatMs: opts.heartbeatMs,
    directFrames: opts.directFrames,
    log,
    onOpen: (c) => void c.send(update),
  });
  // A client closed meanwhile (the caller hung up) answers connect() as aborted.
  const ready = Promise.resolve(settings).then((s) => {
    update = sessionUpdate(s, opts.protocol);
    return client.connect();
  });
  return { client, ready };
}
