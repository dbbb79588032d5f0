// A second process for the crash test: opens the store the test gives it (argv[2], JSON of
// OpenStoreOptions plus the fake speech-to-text URL), runs the transcription jobs with a short
// lease, and prints `started`. The test kills it with SIGKILL while its job is in flight.
import pino from 'pino';
import { CallEvents } from '../../src/call/call-events.js';
import { parseConfig } from '../../src/config.js';
import { transcriptionJobs } from '../../src/jobs/transcription-jobs.js';
import { openStore, type OpenStoreOptions } from '../../src/store/open-store.js';
import { openBlobStore } from '../../src/blobs/open-blobs.js';

const args = JSON.parse(process.argv[2] ?? '{}') as OpenStoreOptions & { sttUrl: string; leaseMs: number };
// One slot: a lease that lapses while this process still lives cannot be taken by itself again.
const config = parseConfig({
  DATA_DIR: args.dataDir,
  TRANSCRIBE_URL: args.sttUrl,
  TRANSCRIBE_CONCURRENCY: '1',
  LOG_LEVEL: 'silent',
});
const store = await openStore(args);
const jobs = transcriptionJobs({
  config,
  store,
  blobs: openBlobStore(config),
  events: new CallEvents(),
  log: pino({ level: 'silent' }),
  authToken: 'crash-worker-token-0123456789',
  timing: { pollMs: 20, leaseMs: args.leaseMs, timeoutMs: 60_000 },
});
jobs?.start();
process.stdout.write('started\n');
