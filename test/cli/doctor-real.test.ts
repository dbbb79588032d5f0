// `doctor` against the real AgentLocator server (startServer on port 0): healthy, every check passes
// but for the warnings a plain-http local run must give; a wrong token, a log-only signature mode and
// a foreign AccountSid are each named.
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor/run-doctor.js';
import type { DoctorReport } from '../../src/cli/doctor/types.js';
import { startTestServer, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const causes = (report: DoctorReport, severity: 'warn' | 'fail') =>
  report.checks.flatMap((c) =>
    c.findings.filter((f) => f.severity === severity).map((f) => `${c.id}/${f.cause}:${f.twilio?.code ?? 0}`),
  );

/** Warnings a healthy server gives when reached over plain http on loopback without Redis. */
const EXPECTED_LOCAL_WARNINGS = new Set([
  'tls/tls-not-applicable:0',
  'readyz/readyz-dependency-disabled:0',
  'emulated-call/https-callbacks-over-http:15003',
]);

describe('doctor against the real server', () => {
  it('passes every check: /readyz, TwiML, Stream URL, greeting, 101 on both paths, a whole call, voicemail, signatures', async () => {
    server = await startTestServer();
    const report = await runDoctor({
      url: server.origin,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      budgets: { callMs: 1000 },
    });
    expect(causes(report, 'fail')).toEqual([]);
    for (const w of causes(report, 'warn')) expect(EXPECTED_LOCAL_WARNINGS).toContain(w);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.status).filter((s) => s === 'skip' || s === 'fail')).toEqual([]);

    const call = report.checks.find((c) => c.id === 'emulated-call')!;
    expect(call.saw.join('\n')).toMatch(/agent: [1-9]\d* media frames/);
    expect(call.saw.join('\n')).toMatch(/stop → close 1000/);
    expect(call.saw).toContain(
      'voicemail: /webhook/stream_ended (in-progress) → <Record action="/webhook/handle_recording">',
    );
    // The doctor's call reached the CRM under this run's fresh CallSid, and finished.
    expect(report.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    await expect.poll(async () => (await server!.store.getCall(report.callSid))?.status).toBe('completed');
  });

  it('a fresh CallSid each run', async () => {
    server = await startTestServer();
    const options = {
      url: server.origin,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      budgets: { callMs: 200 },
    };
    const [a, b] = [await runDoctor(options), await runDoctor(options)];
    expect(a.callSid).not.toBe(b.callSid);
    expect(a.ok && b.ok).toBe(true);
  });

  it('with a different auth token: the webhook refuses the signature (11200), and the stream checks say they could not run', async () => {
    server = await startTestServer();
    const report = await runDoctor({
      url: server.origin,
      authToken: 'not-the-servers-token-000000',
      accountSid: TEST_ACCOUNT_SID,
    });
    expect(causes(report, 'fail')).toEqual(['incoming-call/webhook-signature-rejected:11200']);
    // Without TwiML there is no Stream URL to judge; the later checks say why they were skipped.
    expect(report.checks.find((c) => c.id === 'ws-upgrade')!.status).toBe('skip');
  });

  it('with a stale PUBLIC_HOST: the server checks signatures over the old domain, so Twilio’s are refused (11200)', async () => {
    server = await startTestServer({ PUBLIC_HOST: 'old.example.com' });
    const report = await runDoctor({
      url: server.origin,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
    });
    expect(causes(report, 'fail')).toEqual(['incoming-call/webhook-signature-rejected:11200']);
    expect(report.checks[1]!.findings[0]!.fix).toContain('PUBLIC_BASE_URL');
  });

  it('with WEBHOOK_SIGNATURE_CHECK=log-only: unsigned webhooks are accepted, and doctor fails loudly', async () => {
    server = await startTestServer({ WEBHOOK_SIGNATURE_CHECK: 'log-only' });
    const report = await runDoctor({
      url: server.origin,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      budgets: { callMs: 200 },
    });
    expect(causes(report, 'fail')).toEqual(['signatures/unsigned-webhook-accepted:0']);
  });

  it('with an AccountSid the server does not expect: `start` is refused (1008), reported as call-start-rejected', async () => {
    server = await startTestServer();
    const report = await runDoctor({
      url: server.origin,
      authToken: TEST_AUTH_TOKEN,
      accountSid: `AC${'1'.repeat(32)}`,
      budgets: { callMs: 1000 },
    });
    expect(causes(report, 'fail')).toEqual(['emulated-call/call-start-rejected:31921']);
    const finding = report.checks.find((c) => c.id === 'emulated-call')!.findings[0]!;
    expect(finding.message).toContain('code 1008');
    expect(finding.fix).toContain('--account-sid');
  });
});
