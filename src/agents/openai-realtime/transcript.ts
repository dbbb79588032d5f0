// The call's transcript: both sides as timed turns in the store (written in order, failures
// logged, never thrown), plus the last turns in memory to brief a reconnected session.
import type { Logger } from 'pino';
import type { AgentStore } from '../agent.js';

export interface Turn {
  role: 'caller' | 'agent';
  text: string;
}

/** Turns kept in memory for a reconnect briefing. */
const RECENT_TURNS = 30;
/** Speech timings / cut points remembered until their transcript arrives. */
const MAX_PENDING = 32;

export class TranscriptRecorder {
  private tail: Promise<void> = Promise.resolve();
  private recent: Turn[] = [];
  private total = 0;
  private readonly speech = new Map<string, { start: number | null; end: number | null }>();
  private readonly cuts = new Map<string, number>();

  constructor(
    private readonly store: AgentStore,
    private readonly callSid: string,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  get count(): number {
    return this.total;
  }

  recentTurns(): readonly Turn[] {
    return this.recent;
  }

  /** VAD saw the caller start or stop speaking at stream time `atMs` (item = the caller's turn). */
  speechEdge(itemId: string | undefined, edge: 'start' | 'end', atMs: number | null): void {
    if (!itemId) return;
    const t = this.speech.get(itemId) ?? { start: null, end: null };
    t[edge] = atMs;
    bounded(this.speech, itemId, t);
  }

  callerSaid(itemId: string, text: string): void {
    const t = this.speech.get(itemId);
    this.speech.delete(itemId);
    this.add('caller', text, t?.start ?? null, t?.end ?? null);
  }

  /** The caller barged in after hearing `heardMs` of this agent item. */
  agentCut(itemId: string, heardMs: number): void {
    bounded(this.cuts, itemId, heardMs);
  }

  /** The agent item's transcript; `audio` is when its first audio was queued and how long it is. */
  agentSaid(itemId: string, text: string, audio: { firstAt: number; ms: number } | undefined): void {
    const cut = this.cuts.get(itemId);
    this.cuts.delete(itemId);
    const start = audio?.firstAt ?? null;
    const end = audio ? audio.firstAt + (cut ?? audio.ms) : null;
    // A barged-in turn keeps its full text (the server's copy was cut), marked as interrupted.
    this.add('agent', cut === undefined ? text : `${text.trim()} …`, start, end);
  }

  /** A new upstream session: its item ids are new. */
  resetSession(): void {
    this.speech.clear();
    this.cuts.clear();
  }

  add(role: Turn['role'], text: string, startMs: number | null, endMs: number | null): void {
    const clean = text.trim();
    if (!clean) return;
    this.total += 1;
    this.recent.push({ role, text: clean });
    if (this.recent.length > RECENT_TURNS) this.recent.shift();
    const turn = {
      callSid: this.callSid,
      role,
      text: clean,
      startMs: startMs === null ? null : Math.round(startMs),
      endMs: endMs === null ? null : Math.round(endMs),
      at: this.now(),
    };
    // Chained so turns land in the order they were spoken.
    this.tail = this.tail.then(() =>
      this.store
        .addTranscriptTurn(turn)
        .catch((err: unknown) => this.log.error({ err }, 'STORE_FAILED: addTranscriptTurn')),
    );
  }

  /** Resolves when every turn so far was written (or failed and was logged). */
  flushed(): Promise<void> {
    return this.tail;
  }
}

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > MAX_PENDING) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/** The recent turns as plain lines, for instructions. */
export function formatTurns(turns: readonly Turn[]): string {
  return turns.map((t) => `${t.role === 'caller' ? 'מתקשר' : 'נציג'}: ${t.text}`).join('\n');
}
