// Which model item each stretch of agent audio belongs to, on the CallControl's playback timeline
// (ms sent since the last interrupt). On barge-in it turns "the caller heard N ms" into truncate
// points per item: the audible item at what was heard of it, later unheard items at 0.

interface Run {
  itemId: string;
  contentIndex: number;
  /** Position on the playback timeline where this run starts and ends (ms). */
  start: number;
  end: number;
  /** Ms of this item's own audio before this run (the server's clock for the item). */
  itemOffset: number;
}

export interface TruncatePoint {
  itemId: string;
  contentIndex: number;
  audioEndMs: number;
}

export class AudioLedger {
  private runs: Run[] = [];
  /** Item audio received so far (ms), by item; pruned with the runs. */
  private itemMs = new Map<string, number>();
  private firstSeen = new Map<string, number>();
  /**
   * The item deltas are arriving for, and its ms so far (kept out of itemMs until another item
   * starts: fifty deltas a second of one item cost no map lookups).
   */
  private current: string | undefined;
  private currentMs = 0;

  /**
   * Records one delta: `deltaMs` of item audio that the playback timeline placed at [start, end).
   * `at` is the stream time the delta was queued (for transcript timing).
   */
  record(
    itemId: string,
    contentIndex: number,
    start: number,
    end: number,
    deltaMs: number,
    at: number,
  ): void {
    if (itemId !== this.current) this.switchTo(itemId, at);
    const offset = this.currentMs;
    this.currentMs += deltaMs;
    const last = this.runs[this.runs.length - 1];
    if (last && last.itemId === itemId && last.contentIndex === contentIndex && last.end === start) {
      last.end = end;
      return;
    }
    this.runs.push({ itemId, contentIndex, start, end, itemOffset: offset });
  }

  private switchTo(itemId: string, at: number): void {
    this.settleCurrent();
    this.current = itemId;
    this.currentMs = this.itemMs.get(itemId) ?? 0;
    if (!this.firstSeen.has(itemId)) this.firstSeen.set(itemId, at);
  }

  /** The current item's ms back into itemMs (before the map is read or pruned). */
  private settleCurrent(): void {
    if (this.current !== undefined) this.itemMs.set(this.current, this.currentMs);
  }

  /** Audio ms received for the item, and the stream time its first delta was queued. */
  item(itemId: string): { ms: number; firstAt: number } | undefined {
    this.settleCurrent();
    const ms = this.itemMs.get(itemId);
    const firstAt = this.firstSeen.get(itemId);
    return ms === undefined || firstAt === undefined ? undefined : { ms, firstAt };
  }

  /** Truncate points for everything not fully heard, given the heard position on the timeline. */
  truncations(heardMs: number): TruncatePoint[] {
    const points: TruncatePoint[] = [];
    const seen = new Set<string>();
    for (const run of this.runs) {
      if (run.end <= heardMs || seen.has(run.itemId)) continue;
      seen.add(run.itemId);
      const heardOfRun = Math.min(Math.max(heardMs - run.start, 0), run.end - run.start);
      points.push({
        itemId: run.itemId,
        contentIndex: run.contentIndex,
        audioEndMs: Math.floor(run.itemOffset + heardOfRun),
      });
    }
    return points;
  }

  /** Drops runs the caller has fully heard, keeping the ledger small on long calls. */
  prune(heardMs: number): void {
    this.settleCurrent();
    if (this.runs.length < 32 && this.itemMs.size < 64) return;
    const keep = this.runs.filter((r) => r.end > heardMs);
    const lastItem = this.runs[this.runs.length - 1]?.itemId;
    const live = new Set(keep.map((r) => r.itemId));
    if (lastItem) live.add(lastItem);
    this.runs = keep;
    for (const id of [...this.itemMs.keys()]) {
      if (!live.has(id)) {
        this.itemMs.delete(id);
        this.firstSeen.delete(id);
      }
    }
    if (this.current !== undefined && !live.has(this.current)) this.current = undefined;
  }

  /** After an interrupt (the timeline restarts at 0) or a new upstream session. */
  reset(): void {
    this.runs = [];
  }

  /** Forget everything (a new upstream session: its items are new). */
  clear(): void {
    this.runs = [];
    this.current = undefined;
    this.itemMs.clear();
    this.firstSeen.clear();
  }
}
