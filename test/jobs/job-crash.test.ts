// A worker that dies mid-job, on every store backend: a second process leases an answer clip's
// transcription and is killed (SIGKILL) while its upload is in flight; a new instance on the same
// database takes the job once the lease ends and finishes it: done once, one transcript, one turn.
// Then a worker whose lease lapsed while it still ran (a stalled process) answers late: no change.
import { spawn } from 'node:child_process';
import pino from 'pino';
import { expect, it } from 'vitest';
import { CallEvents } from '../../src/call/call-events.js';
import { parseConfig } from '../../src/config.js';
import { transcriptionJobs } from '../../src/jobs/transcription-jobs.js';
import { startFakeTranscriptionServer } from '../fakes/fake-transcription-server.js';
import { describeEachStore } from '../support/databases.js';
import { useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';
import { makeCall } from '../support/crm-fixtures.js';
import { answerClip, testWav } from './support.js';
import { openBlobStore } from '../../src/blobs/open-blobs.js';

const cleanup = useCleanup();

describeEachStore('A crash mid-job', (target) => {
  it('is finished after a restart exactly once, and a late zombie changes nothing', async () => {
    let release: (text: string) => void = () => undefined;
    const held = new Promise<string>((resolve) => (release = resolve));
    // Request 0 is the killed worker's, held for ever; request 1 is the new instance's.
    const stt = await startFakeTranscriptionServer((n) => (n === 0 ? { hold: held } : { text: 'דני כהן' }));
    cleanup(async () => {
      release('');
      await stt.close();
    });
    const opts = await target.freshOptions();
    const store = await target.reopen(opts);
    const call = await makeCall(store, { startMs: Date.now() - 120_000 });
    const clip = await answerClip(store, opts.dataDir!, call.callSid, 'name', testWav());

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/jobs/crash-worker.ts',
        JSON.stringify({ ...opts, sttUrl: stt.url, leaseMs: 2000 }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanup(() => void child.kill('SIGKILL'));
    await until(() => stt.requests.length >= 1, 'the worker process uploading the clip', {
      timeoutMs: 30_000,
    });
    const leased = await store.getJob(`transcribe:${clip}`);
    expect(leased).toMatchObject({ attempts: 1, doneAt: null });
    expect(leased!.leaseOwner).not.toBeNull();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // The restart: a new instance on the same database.
    const config = parseConfig({ DATA_DIR: opts.dataDir, TRANSCRIBE_URL: stt.url, LOG_LEVEL: 'silent' });
    const restarted = await target.reopen(opts);
    const events = new CallEvents();
    const jobs = transcriptionJobs({
      config,
      store: restarted,
      blobs: openBlobStore(config),
      events,
      log: pino({ level: 'silent' }),
      authToken: 'restart-token-0123456789abcdef',
      timing: { pollMs: 20, leaseMs: 30_000, timeoutMs: 20_000 },
    })!;
    cleanup(() => jobs.stop());
    jobs.start();
    const done = await until(
      async () => (await restarted.getJob(`transcribe:${clip}`))?.doneAt,
      'the job done after the restart',
    );
    expect(done).toBeInstanceOf(Date);
    expect(await restarted.getJob(`transcribe:${clip}`)).toMatchObject({ attempts: 2, failedAt: null });
    expect(stt.requests).toHaveLength(2);
    expect((await restarted.listTranscript(call.callSid)).map((t) => t.text)).toEqual(['דני כהן']);
    expect((await restarted.getLeadForCall(call.callSid))?.fields.name).toMatchObject({
      clip,
      text: 'דני כהן',
    });

    // The killed worker's upload is answered now, to nobody: nothing changes.
    release('something else');
    await stt.close();
    expect((await restarted.getRecording(clip))?.transcript).toBe('דני כהן');
    expect(await restarted.listJobsForCall(call.callSid)).toHaveLength(1);
  }, 60_000);
});

describeEachStore('A stalled worker', (target) => {
  it('answering after its lease passed to another changes nothing: one transcript, one turn', async () => {
    let release: (text: string) => void = () => undefined;
    const held = new Promise<string>((resolve) => (release = resolve));
    const stt = await startFakeTranscriptionServer((n) => (n === 0 ? { hold: held } : { text: 'דני כהן' }));
    cleanup(async () => {
      release('');
      await stt.close();
    });
    const opts = await target.freshOptions();
    const config = parseConfig({
      DATA_DIR: opts.dataDir,
      TRANSCRIBE_URL: stt.url,
      // One slot: the stalled worker cannot lease its own job a second time.
      TRANSCRIBE_CONCURRENCY: '1',
      LOG_LEVEL: 'silent',
    });
    const instance = async (leaseMs: number) => {
      const store = await target.reopen(opts);
      const jobs = transcriptionJobs({
        config,
        store,
        blobs: openBlobStore(config),
        events: new CallEvents(),
        log: pino({ level: 'silent' }),
        authToken: 'stalled-token-0123456789abcdef',
        timing: { pollMs: 20, leaseMs, timeoutMs: 60_000 },
      })!;
      cleanup(() => jobs.stop());
      return { store, jobs };
    };
    const stalled = await instance(300);
    const call = await makeCall(stalled.store, { startMs: Date.now() - 120_000 });
    const clip = await answerClip(stalled.store, opts.dataDir!, call.callSid, 'name', testWav());
    stalled.jobs.start();
    await until(() => stt.requests.length >= 1, 'the stalled worker uploading');
    const other = await instance(60_000);
    other.jobs.start();
    await until(
      async () => (await other.store.getJob(`transcribe:${clip}`))?.doneAt,
      'the job done by the other',
    );
    release('טקסט אחר');
    // The stalled worker tries to finish: the text is there already and its lease is gone.
    await until(() => stalled.jobs.runner.busy === 0, 'the stalled worker giving its job up');
    expect((await other.store.getRecording(clip))?.transcript).toBe('דני כהן');
    expect((await other.store.listTranscript(call.callSid)).map((t) => t.text)).toEqual(['דני כהן']);
    expect((await other.store.getLeadForCall(call.callSid))?.fields.name).toMatchObject({ text: 'דני כהן' });
    expect(await other.store.getJob(`transcribe:${clip}`)).toMatchObject({ attempts: 2, failedAt: null });
  }, 30_000);
});
