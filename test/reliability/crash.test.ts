// A few kill -9s of the server under traffic, on SQLite and on PostgreSQL (the long run is
// `npm run crash -- --kills 200`; .ci/run does 20): the store the kill left keeps every webhook
// answered 2xx, once, and a stream claimed before the kill stays claimed.
import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { runCrashes } from './crash-run.js';

describe('kill -9 under traffic', () => {
  it('loses nothing acknowledged on SQLite', async () => {
    const report = await runCrashes({ kills: 3 });
    expect(report.failures).toEqual([]);
    // The kills landed under load: webhooks were acknowledged, retried and streams claimed.
    expect(report.webhooksAcked).toBeGreaterThan(20);
    expect(report.retriesAcked).toBeGreaterThan(0);
    expect(report.claimsTried).toBeGreaterThan(0);
  }, 90_000);

  it.skipIf(!TEST_DATABASE_URL)(
    'loses nothing acknowledged on PostgreSQL (needs TEST_DATABASE_URL)',
    async () => {
      const report = await runCrashes({ kills: 3, postgresUrl: TEST_DATABASE_URL });
      expect(report.failures).toEqual([]);
      expect(report.webhooksAcked).toBeGreaterThan(20);
      expect(report.retriesAcked).toBeGreaterThan(0);
    },
    90_000,
  );
});
