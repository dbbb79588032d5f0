// `doctor` against purpose-built broken servers, one cause each: every cause is reported as that
// cause, in the check that owns it, with the Twilio error it would cause; a healthy twin passes.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor/run-doctor.js';
import type { DoctorBudgets } from '../../src/cli/doctor/context.js';
import type { DoctorReport, Finding } from '../../src/cli/doctor/types.js';
import { closedPort, FAKE_ACCOUNT, FAKE_TOKEN, startFake, type FakeOptions } from './fake-agentlocator.js';
import { useCleanup } from '../support/cleanup.js';

const defer = useCleanup();

async function doctorAgainst(opts: FakeOptions, budgets: Partial<DoctorBudgets> = {}): Promise<DoctorReport> {
  const fake = await startFake(opts);
  defer(() => fake.close());
  return runDoctor({
    url: fake.origin,
    authToken: FAKE_TOKEN,
    accountSid: FAKE_ACCOUNT,
    budgets: { callMs: 500, ...budgets },
  });
}

/** Every finding of a report as "check-id/cause:code" (code 0 when Twilio raises none). */
function findings(report: DoctorReport, severity: Finding['severity'] = 'fail'): string[] {
  return report.checks.flatMap((c) =>
    c.findings.filter((f) => f.severity === severity).map((f) => `${c.id}/${f.cause}:${f.twilio?.code ?? 0}`),
  );
}

const statusOf = (report: DoctorReport, id: string) => report.checks.find((c) => c.id === id)?.status;

describe('doctor against a healthy AgentLocator-shaped server', () => {
  it('passes every check, warning only that TLS cannot be checked over http', async () => {
    const report = await doctorAgainst({});
    expect(findings(report)).toEqual([]);
    expect(findings(report, 'warn')).toEqual(['tls/tls-not-applicable:0']);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
      'warn',
      'pass',
      'pass',
    ]);
  });
});

describe('doctor names each cause of a silent call', () => {
  it('a server with no WebSocket support (answers the upgrade with 200) → ws-no-websocket, 31920', async () => {
    const report = await doctorAgainst({
      upgradeAnswer: () =>
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
    });
    expect(findings(report)).toEqual(['ws-upgrade/ws-no-websocket:31920']);
    expect(statusOf(report, 'emulated-call')).toBe('skip');
    expect(report.ok).toBe(false);
  });

  it('a server with no WebSocket route at all (404) → ws-not-found, 31920; the unplaced call is ended', async () => {
    const fake = await startFake({ wsPaths: [] });
    defer(() => fake.close());
    const report = await runDoctor({ url: fake.origin, authToken: FAKE_TOKEN, accountSid: FAKE_ACCOUNT });
    expect(findings(report)).toEqual(['ws-upgrade/ws-not-found:31920']);
    // Check 2's signed incoming_call opened a call in the server's log; doctor ends it as Twilio would.
    const mine = fake.webhooks
      .filter((w) => w.params.CallSid === report.callSid)
      .map((w) => [w.path, w.params.CallStatus]);
    expect(mine).toEqual([
      ['/webhook/incoming_call', 'ringing'],
      ['/webhook/call_status', 'completed'],
    ]);
  });

  it('a WebSocket refused with 403 on the path and missing on its twin → both named', async () => {
    const report = await doctorAgainst({ upgradeSignature: 'form', wsPaths: ['/ws/twilio-media'] });
    expect(findings(report)).toEqual([
      'ws-upgrade/ws-forbidden:31920',
      'ws-upgrade/ws-trailing-slash:31920',
      'signatures/ws-form-signature:31920',
    ]);
  });

  it('a WebSocket served only without the trailing slash → ws-trailing-slash, 31920', async () => {
    const report = await doctorAgainst({ wsPaths: ['/ws/twilio-media'] });
    expect(findings(report)).toEqual(['ws-upgrade/ws-trailing-slash:31920']);
    const check = report.checks.find((c) => c.id === 'ws-upgrade')!;
    expect(check.findings[0]!.message).toContain('/ws/twilio-media/ answered HTTP 404');
    // The exact URL works, so the call itself still runs.
    expect(statusOf(report, 'emulated-call')).toBe('pass');
  });

  it('a TwiML Stream URL with the slash when only the bare path is served → ws-trailing-slash, 31920', async () => {
    const report = await doctorAgainst({
      wsPaths: ['/ws/twilio-media'],
      streamUrl: (host) => `wss://${host}/ws/twilio-media/`,
    });
    expect(findings(report)).toEqual(['ws-upgrade/ws-trailing-slash:31920']);
    expect(statusOf(report, 'emulated-call')).toBe('skip');
  });

  it('a 301 redirect on the WebSocket path (apex → www) → ws-redirect, 31920, with where it pointed', async () => {
    const report = await doctorAgainst({
      upgradeAnswer: () =>
        'HTTP/1.1 301 Moved Permanently\r\nLocation: wss://www.example.com/ws/twilio-media\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    });
    expect(findings(report)).toEqual(['ws-upgrade/ws-redirect:31920']);
    expect(report.checks.find((c) => c.id === 'ws-upgrade')!.findings[0]!.message).toContain(
      'wss://www.example.com/ws/twilio-media',
    );
  });

  it('a 302 http→https redirect on the WebSocket path → ws-redirect in check 5 and ws-https-redirect in check 6, both 31920', async () => {
    const report = await doctorAgainst({
      upgradeAnswer: (host) =>
        `HTTP/1.1 302 Found\r\nLocation: https://${host}/ws/twilio-media\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    });
    expect(findings(report)).toEqual(['ws-upgrade/ws-redirect:31920', 'tls/ws-https-redirect:31920']);
  });

  it('ws:// in the TwiML → stream-url-scheme, 31922 (and the stream is never dialled as written)', async () => {
    const report = await doctorAgainst({ streamUrl: (host) => `ws://${host}/ws/twilio-media` });
    expect(findings(report)).toEqual([
      'stream-url/stream-url-scheme:31922',
      'ws-upgrade/ws-not-dialled:31922',
    ]);
    // The corrected wss:// URL was probed and works: the only fault is the scheme.
    expect(report.checks.find((c) => c.id === 'ws-upgrade')!.saw[0]).toMatch(/^wss:.* answered 101/);
  });

  it('a stale host in the Stream URL → stream-url-host with the error Twilio gets there (refused: 31902)', async () => {
    const port = await closedPort();
    const report = await doctorAgainst({ streamUrl: () => `wss://127.0.0.1:${port}/ws/twilio-media` });
    expect(findings(report)).toEqual(['stream-url/stream-url-host:31902', 'ws-upgrade/ws-refused:31902']);
    expect(report.checks.find((c) => c.id === 'stream-url')!.findings[0]!.message).toContain(
      `127.0.0.1:${port}`,
    );
  });

  it('a query string on the Stream URL → stream-url-query, 31920', async () => {
    const report = await doctorAgainst({ streamUrl: (host) => `wss://${host}/ws/twilio-media?token=abc` });
    expect(findings(report)).toEqual([
      'stream-url/stream-url-query:31920',
      'ws-upgrade/ws-not-dialled:31920',
    ]);
  });

  it('the WebSocket wrapped in the HTTP form-signature check (403 on upgrade) → ws-forbidden, confirmed as ws-form-signature, 31920', async () => {
    const report = await doctorAgainst({ upgradeSignature: 'form' });
    expect(findings(report)).toEqual(['ws-upgrade/ws-forbidden:31920', 'signatures/ws-form-signature:31920']);
    expect(report.checks.find((c) => c.id === 'signatures')!.saw).toContain(
      `upgrade signed over ${report.url}/ws/twilio-media → 101`,
    );
  });

  it('an old deployment answering <Record> → twiml-old-deployment (no stream: straight to voicemail)', async () => {
    const report = await doctorAgainst({
      incomingTwiml: () => '<Say>Leave a message</Say><Record action="/webhook/handle_recording"/>',
    });
    expect(findings(report)).toEqual(['incoming-call/twiml-old-deployment:0']);
    expect(report.checks.slice(2, 5).map((c) => c.status)).toEqual(['skip', 'pass', 'skip']);
  });

  it('a greeting that answers 404 → play-http-status, 11200 (the caller hears nothing)', async () => {
    const report = await doctorAgainst({ greetingStatus: 404 });
    expect(findings(report)).toEqual(['play-files/play-http-status:11200']);
  });

  it('a webhook slower than Twilio’s budget → webhook-timeout, 11205', async () => {
    const report = await doctorAgainst({ webhookDelayMs: 800 }, { webhookBudgetMs: 300, webhookWarnMs: 100 });
    expect(findings(report)).toEqual(['incoming-call/webhook-timeout:11205']);
    expect(report.checks.slice(2, 5).map((c) => c.status)).toEqual(['skip', 'skip', 'skip']);
  });

  it('a webhook over the warning threshold but within the budget → webhook-slow warning, 11205 if it grows', async () => {
    const report = await doctorAgainst({ webhookDelayMs: 150 }, { webhookWarnMs: 50 });
    expect(findings(report)).toEqual([]);
    expect(findings(report, 'warn')).toContain('incoming-call/webhook-slow:11205');
  });

  it('a wrong streamSid on outbound frames → call-wrong-stream-sid, 31951', async () => {
    const report = await doctorAgainst({ outboundStreamSid: `MZ${'f'.repeat(32)}` });
    expect(findings(report)).toEqual(['emulated-call/call-wrong-stream-sid:31951']);
  });

  it('webhooks that accept unsigned requests → unsigned-webhook-accepted (anyone could place fake calls)', async () => {
    const report = await doctorAgainst({ acceptUnsignedWebhooks: true });
    expect(findings(report)).toEqual(['signatures/unsigned-webhook-accepted:0']);
  });
});
