// The ring strategies: the order eligible agents are offered a call, as ring groups (the agents of
// one group ring at once). Pure. The caller's sticky agent, when eligible, always rings first.
import type { RingStrategy } from '../store/directory-store.js';

export interface Rankable {
  id: string;
  priority: number;
  /** When the agent was last offered a call (round-robin); null = never. */
  lastOfferedAt: Date | null;
  /** Calls answered today in the directory's timezone (fewest-calls). */
  answeredToday: number;
}

const byPriority = (a: Rankable, b: Rankable) =>
  a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const offeredMs = (a: Rankable) => a.lastOfferedAt?.getTime() ?? Number.NEGATIVE_INFINITY;

const ORDER: Record<RingStrategy, (a: Rankable, b: Rankable) => number> = {
  sequential: byPriority,
  simultaneous: byPriority,
  'round-robin': (a, b) => offeredMs(a) - offeredMs(b) || byPriority(a, b),
  'fewest-calls': (a, b) => a.answeredToday - b.answeredToday || byPriority(a, b),
};

/**
 * Ring groups for the strategy: one agent per group, except `simultaneous` (one group of all).
 * A sticky agent among them is taken out and rings alone first, whatever the strategy.
 */
export function ringGroups<T extends Rankable>(
  strategy: RingStrategy,
  agents: readonly T[],
  stickyId?: string,
): T[][] {
  const sticky = stickyId === undefined ? undefined : agents.find((a) => a.id === stickyId);
  const rest = agents.filter((a) => a !== sticky).sort(ORDER[strategy]);
  const groups: T[][] = strategy === 'simultaneous' ? (rest.length ? [rest] : []) : rest.map((a) => [a]);
  return sticky ? [[sticky], ...groups] : groups;
}
