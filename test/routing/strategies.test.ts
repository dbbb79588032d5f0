// Ring strategies: the order agents are offered a call, as ring groups, and the sticky agent first.
import { describe, expect, it } from 'vitest';
import { ringGroups, type Rankable } from '../../src/routing/strategies.js';

const agent = (
  id: string,
  priority: number,
  lastOffered: number | null = null,
  answeredToday = 0,
): Rankable => ({
  id,
  priority,
  lastOfferedAt: lastOffered === null ? null : new Date(lastOffered),
  answeredToday,
});

const ids = (groups: Rankable[][]) => groups.map((g) => g.map((a) => a.id));

describe('ring groups', () => {
  const agents = [
    agent('dana', 2, 300, 4),
    agent('avi', 1, 100, 2),
    agent('noa', 2, null, 0),
    agent('ben', 2, 200, 2),
  ];

  it('sequential: by priority, then id, one agent per group', () => {
    expect(ids(ringGroups('sequential', agents))).toEqual([['avi'], ['ben'], ['dana'], ['noa']]);
  });

  it('round-robin: least recently offered first (never offered before anyone), ties by priority', () => {
    expect(ids(ringGroups('round-robin', agents))).toEqual([['noa'], ['avi'], ['ben'], ['dana']]);
    const tie = [agent('b', 2, 100), agent('a', 3, 100), agent('c', 1, 100)];
    expect(ids(ringGroups('round-robin', tie))).toEqual([['c'], ['b'], ['a']]);
  });

  it('fewest-calls: fewest answered today first, ties by priority then id', () => {
    expect(ids(ringGroups('fewest-calls', agents))).toEqual([['noa'], ['avi'], ['ben'], ['dana']]);
  });

  it('simultaneous: one group of everyone, rung at once', () => {
    expect(ids(ringGroups('simultaneous', agents))).toEqual([['avi', 'ben', 'dana', 'noa']]);
    expect(ringGroups('simultaneous', [])).toEqual([]);
  });

  it('puts the sticky agent first, alone, whatever the strategy', () => {
    expect(ids(ringGroups('sequential', agents, 'noa'))).toEqual([['noa'], ['avi'], ['ben'], ['dana']]);
    expect(ids(ringGroups('round-robin', agents, 'dana'))).toEqual([['dana'], ['noa'], ['avi'], ['ben']]);
    expect(ids(ringGroups('simultaneous', agents, 'dana'))).toEqual([['dana'], ['avi', 'ben', 'noa']]);
    expect(ids(ringGroups('simultaneous', [agent('dana', 1)], 'dana'))).toEqual([['dana']]);
  });

  it('ignores a sticky agent who is not among the eligible', () => {
    expect(ids(ringGroups('sequential', agents, 'gone'))).toEqual([['avi'], ['ben'], ['dana'], ['noa']]);
  });
});
