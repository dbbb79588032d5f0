// Contract: the jobs table on every backend: what the sweep enqueues (once, whichever instance
// sweeps), leases that let one worker hold a job until it settles or the lease ends, backoff and
// final failure, and the idempotent writes a job makes (a transcript and its turn once).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import type { JobSweep } from '../../src/store/job-store.js';
import { describeEachStore } from '../support/databases.js';
import { makeCall } from '../support/crm-fixtures.js';
import { at, sid } from './contract/ids.js';

const MINUTE = 60_000;
const sweep = (ms: number, more: Partial<JobSweep> = {}): JobSweep => ({
  now: at(ms),
  lookbackMs: 60 * MINUTE,
  settleMs: 5000,
  transcribe: true,
  analyze: true,
  ...more,
});
const lease = (owner: string, ms: number, limit = 10) => ({
  owner,
  now: at(ms),
  leaseMs: 1000,
  limit,
  kinds: ['transcribe', 'analyze'] as const,
});

async function answerClip(store: KyselyStore, callSid: string, ms: number): Promise<string> {
  const recordingSid = sid('LC');
  await store.upsertRecording({
    recordingSid,
    callSid,
    url: `/data/calls/${callSid}/name-${recordingSid}.wav`,
    durationSec: 2,
    status: 'completed',
    source: 'answer',
    at: at(ms),
  });
  return recordingSid;
}

describeEachStore('Jobs store', (target) => {
  let store: KyselyStore;
  let other: KyselyStore;
  beforeEach(async () => {
    // Two stores on one database: two instances of the server.
    const opts = await target.freshOptions();
    store = await target.reopen(opts);
    other = await target.reopen(opts);
  });
  afterEach(() => Promise.all([store.close(), other.close()]));

  describe('the sweep', () => {
    it('enqueues answer clips and completed voicemails once, not in-progress ones or old ones', async () => {
      const c = await makeCall(store, { startMs: 0 });
      const clip = await answerClip(store, c.callSid, 3000);
      const vm = sid('RE');
      const url = `https://api.twilio.com/2010-04-01/Accounts/${sid('AC')}/Recordings/${vm}`;
      await store.upsertRecording({
        recordingSid: vm,
        callSid: c.callSid,
        url,
        durationSec: null,
        status: null,
        source: 'voicemail',
        at: at(4000),
      });
      await store.upsertRecording({
        recordingSid: sid('LC'),
        callSid: c.callSid,
        url: '/x.wav',
        durationSec: 1,
        status: 'completed',
        source: 'call-audio',
        at: at(4000),
      });
      expect(await store.enqueueDueJobs(sweep(5000, { analyze: false }))).toBe(1); // the clip only
      await store.upsertRecording({
        recordingSid: vm,
        callSid: c.callSid,
        url,
        durationSec: 7,
        status: 'completed',
        source: 'voicemail',
        at: at(6000),
      });
      const counts = await Promise.all([
        store.enqueueDueJobs(sweep(7000, { analyze: false })),
        other.enqueueDueJobs(sweep(7000, { analyze: false })),
      ]);
      expect(counts[0]! + counts[1]!).toBe(1);
      expect(await store.getJob(`transcribe:${clip}`)).toMatchObject({
        kind: 'transcribe',
        callSid: c.callSid,
        recordingSid: clip,
        attempts: 0,
        doneAt: null,
      });
      expect((await other.listJobsForCall(c.callSid)).map((j) => j.jobKey).sort()).toEqual(
        [`transcribe:${clip}`, `transcribe:${vm}`].sort(),
      );
      // Older than the lookback: left alone.
      const old = await makeCall(store, { startMs: -3 * 60 * MINUTE });
      await answerClip(store, old.callSid, -3 * 60 * MINUTE);
      expect(await store.enqueueDueJobs(sweep(8000))).toBe(0);
    });

    it('analyses a settled call once every clip has its text (or failed for good), and only without a summary', async () => {
      const c = await makeCall(store, { startMs: 0 }); // ends at 60 s
      const a = await answerClip(store, c.callSid, 3000);
      const b = await answerClip(store, c.callSid, 4000);
      await store.enqueueDueJobs(sweep(5000));
      await store.saveRecordingTranscript({ recordingSid: a, text: 'דני', at: at(6000) });
      expect(await store.enqueueDueJobs(sweep(70_000))).toBe(0); // b has no text yet
      // b fails for good: it holds nothing back.
      const claimed = await store.claimJobs(lease('w', 70_000));
      const ja = claimed.find((j) => j.recordingSid === a)!;
      const jb = claimed.find((j) => j.recordingSid === b)!;
      await store.markJobFailed(jb.id, 'w', { error: 'HTTP 400', retryAt: null, at: at(70_001) });
      // a's job still runs (its text is in, the rest of its work is not): it holds the analysis.
      expect(await store.enqueueDueJobs(sweep(70_001))).toBe(0);
      await store.markJobDone(ja.id, 'w', at(70_001));
      expect(await store.enqueueDueJobs(sweep(61_000))).toBe(0); // not settled (ended 1 s ago)
      expect(await store.enqueueDueJobs(sweep(70_002))).toBe(1);
      expect(await other.enqueueDueJobs(sweep(70_003))).toBe(0);
      expect(await store.getJob(`analyze:${c.callSid}`)).toMatchObject({
        kind: 'analyze',
        recordingSid: null,
      });
      // A call the agent summarised itself is never analysed.
      const r = await makeCall(store, { startMs: 0 });
      const rc = await answerClip(store, r.callSid, 3000);
      await store.saveRecordingTranscript({ recordingSid: rc, text: 'שלום', at: at(6000) });
      await store.setCallSummary(r.callSid, 'the agent’s own');
      expect(await store.enqueueDueJobs(sweep(70_004))).toBe(0); // its clip has its text already
      expect(await store.getJob(`analyze:${r.callSid}`)).toBeUndefined();
    });
  });

  describe('leases', () => {
    it('one worker of two holds a job; it is free again when the lease ends; only the owner settles', async () => {
      const c = await makeCall(store, { startMs: 0 });
      const clip = await answerClip(store, c.callSid, 3000);
      await store.enqueueDueJobs(sweep(5000));
      const [mine, theirs] = await Promise.all([
        store.claimJobs(lease('a', 6000)),
        other.claimJobs(lease('b', 6000)),
      ]);
      expect(mine.length + theirs.length).toBe(1);
      const owner = mine.length ? 'a' : 'b';
      const thief = owner === 'a' ? 'b' : 'a';
      expect(await store.claimJobs(lease(thief, 6999))).toEqual([]);
      // The owner died: at the lease's end another worker takes it, a second attempt.
      const [again] = await other.claimJobs(lease(thief, 7000));
      expect(again).toMatchObject({ jobKey: `transcribe:${clip}`, attempts: 2, leaseOwner: thief });
      expect(await store.markJobDone(again!.id, owner, at(7100))).toBe(false);
      expect(await store.markJobDone(again!.id, thief, at(7100))).toBe(true);
      expect(await store.getJob(`transcribe:${clip}`)).toMatchObject({ doneAt: at(7100), leaseOwner: null });
      expect(await store.claimJobs(lease('c', 60_000))).toEqual([]);
    });

    it('a retry waits for its time; a final failure keeps its reason; kinds and limits are honoured', async () => {
      const c = await makeCall(store, { startMs: 0 });
      await answerClip(store, c.callSid, 3000);
      await answerClip(store, c.callSid, 3001);
      await store.enqueueDueJobs(sweep(5000));
      expect(await store.claimJobs({ ...lease('w', 6000), kinds: ['analyze'] })).toEqual([]);
      const [first] = await store.claimJobs(lease('w', 6000, 1));
      expect(await store.claimJobs(lease('w', 6000, 0))).toEqual([]);
      await store.markJobFailed(first!.id, 'w', { error: 'HTTP 429', retryAt: at(9000), at: at(6100) });
      const [second] = await store.claimJobs(lease('w', 6200));
      expect(second!.id).not.toBe(first!.id);
      await store.markJobDone(second!.id, 'w', at(6300));
      expect(await store.claimJobs(lease('w', 8999))).toEqual([]);
      const [retried] = await store.claimJobs(lease('w', 9000));
      expect(retried).toMatchObject({ id: first!.id, attempts: 2, lastError: 'HTTP 429' });
      await store.markJobFailed(retried!.id, 'w', { error: 'x'.repeat(900), retryAt: null, at: at(9100) });
      const failed = await store.getJob(retried!.jobKey);
      expect(failed).toMatchObject({ failedAt: at(9100), leaseOwner: null });
      expect(failed!.lastError).toHaveLength(500);
      expect(await store.claimJobs(lease('w', 99_000))).toEqual([]);
    });
  });

  it('a transcript and its turn are written once, whoever writes first; silence gets no turn', async () => {
    const c = await makeCall(store, { startMs: 0 });
    const clip = await answerClip(store, c.callSid, 3000);
    const turn = { callSid: c.callSid, role: 'caller' as const, at: at(3000) };
    const results = await Promise.all([
      store.saveRecordingTranscript({ recordingSid: clip, text: 'דני כהן', at: at(6000), turn }),
      other.saveRecordingTranscript({
        recordingSid: clip,
        text: 'דני כהן!',
        at: at(6001),
        turn,
      }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // A second run (a worker that died after the text, before the turn, or a zombie): still one.
    await other.saveRecordingTranscript({ recordingSid: clip, text: 'other', at: at(6005), turn });
    const transcript = await store.listTranscript(c.callSid);
    expect(transcript).toHaveLength(1);
    const recording = (await store.listRecordings(c.callSid))[0]!;
    expect(recording.transcript).toBe(transcript[0]!.text);
    const quiet = await answerClip(store, c.callSid, 4000);
    expect(
      await store.saveRecordingTranscript({
        recordingSid: quiet,
        text: '  ',
        at: at(6002),
        turn,
      }),
    ).toBe(true);
    expect(await store.listTranscript(c.callSid)).toHaveLength(1);
    expect((await store.getRecording(quiet))?.transcript).toBe('');
    // A recording without a transcript keeps its old shape.
    const bare = await answerClip(store, c.callSid, 5000);
    expect(await store.getRecording(bare)).not.toHaveProperty('transcript');
  });

  it('sets a summary only where none is', async () => {
    const c = await makeCall(store, { startMs: 0 });
    expect(await store.setCallSummaryIfEmpty(c.callSid, 'first')).toBe(true);
    expect(await other.setCallSummaryIfEmpty(c.callSid, 'second')).toBe(false);
    expect((await store.getCall(c.callSid))?.summary).toBe('first');
  });
});
