// `npm run crash -- --kills 200 [--db sqlite|postgres|both]`: kill -9 the server under steady
// traffic that many times per backend (test/reliability/crash-run.ts says what is checked).
// PostgreSQL uses TEST_DATABASE_URL (a fresh schema, dropped after). Exits 1 on any failure.
import { parseArgs } from 'node:util';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { runCrashes, type CrashReport } from './crash-run.js';

const { values: args } = parseArgs({
  options: { kills: { type: 'string', default: '200' }, db: { type: 'string', default: 'both' } },
});
const kills = Number(args.kills);
if (!(kills >= 1)) throw new Error('--kills must be at least 1');
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const backends: (string | undefined)[] = [];
  if (args.db !== 'postgres') backends.push(undefined);
  if (args.db !== 'sqlite') {
    if (TEST_DATABASE_URL) backends.push(TEST_DATABASE_URL);
    else out('PostgreSQL skipped: set TEST_DATABASE_URL');
  }
  const reports: CrashReport[] = [];
  for (const postgresUrl of backends) {
    const report = await runCrashes({
      kills,
      postgresUrl,
      progress: (l) => (Number(l.split(/[ /]/)[1]) % 10 === 0 ? out(l) : undefined),
    });
    reports.push(report);
    const { failures, ...figures } = report;
    out(`${report.backend}: ${JSON.stringify(figures)}`);
    for (const f of failures.slice(0, 20)) out(`  FAIL ${f}`);
  }
  const failed = reports.some((r) => r.failures.length > 0);
  out(failed ? 'CRASH RUN FAILED' : 'CRASH RUN PASSED');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
