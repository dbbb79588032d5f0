// A CPU profile of exactly the steady window: the target runs with --inspect on a loopback port and
// the bench drives V8's sampling profiler over the DevTools protocol. summariseProfile groups self
// time by area (socket writes, ws, streams, GC, JSON, zod, logging, our files) and by function.
import WebSocket from 'ws';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Profiler {
  start(): Promise<void>;
  stop(): Promise<CpuProfile>;
  close(): void;
}

export async function connectProfiler(inspectPort: number, samplingIntervalUs = 250): Promise<Profiler> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = list[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error('the inspector lists no target');
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  return {
    start: async () => void (await call('Profiler.start')),
    stop: async () => ((await call('Profiler.stop')) as { profile: CpuProfile }).profile,
    close: () => ws.close(),
  };
}

function area(f: CallFrame): string {
  const { functionName: name, url } = f;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'native, unattributed (program)';
  if (url === '' && /^(writev|writeBuffer|write\w*String)$/.test(name)) return 'socket writes (writev)';
  if (url === '' && /^(parse|stringify)$/.test(name)) return `JSON.${name}`;
  if (url.includes('/node_modules/ws/')) return 'ws (framing, receiver, sender)';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (/\/node_modules\/(pino|sonic-boom|thread-stream)/.test(url)) return 'logging (pino)';
  if (url.includes('/node_modules/prom-client/')) return 'metrics (prom-client)';
  if (/\/node_modules\/(kysely|better-sqlite3)/.test(url)) return 'store';
  if (url.includes('/node_modules/')) return 'other packages';
  if (url.startsWith('node:internal/streams')) return 'node streams';
  if (/^node:(net|internal\/net|internal\/stream_base_commons)/.test(url)) return 'node net';
  if (url.startsWith('node:events') || url === 'node:internal/event_target') return 'EventEmitter';
  if (url.startsWith('node:internal/timers') || url === 'node:timers') return 'timers';
  if (url.startsWith('node:')) return 'other node internals';
  const dist = /\/(dist|src|bench)\/(.*)$/.exec(url)?.[2];
  if (dist) {
    if (dist.startsWith('agents/openai-realtime/')) return 'ours: agents/openai-realtime';
    return `ours: ${dist.split('/')[0]}`;
  }
  if (url === '') return `native: ${name || '(anonymous)'}`;
  return 'other';
}

export interface ProfileSummary {
  busyMs: number;
  areas: { area: string; pct: number }[];
  functions: { fn: string; where: string; pct: number }[];
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    busy += dt;
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const a = area(f);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '(native)';
    const key = `${f.functionName}@${where}`;
    const entry = fns.get(key) ?? { fn: f.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
  }
  const pct = (us: number) => (busy ? (us / busy) * 100 : 0);
  return {
    busyMs: busy / 1000,
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ area: name, pct: pct(us) })),
    functions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ fn: f.fn, where: f.where, pct: pct(f.us) })),
  };
}
