// The CLI's small parts: the target URL, where the auth token comes from, --dtmf, the trailing-slash
// twin, the TLS check against a self-signed certificate, and plain (pipe) output without escapes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseTarget, UsageError } from '../../src/cli/target.js';
import { PLACEHOLDER_ACCOUNT_SID, resolveCredentials } from '../../src/cli/credentials.js';
import { parseAgents, parseDtmf } from '../../src/cli/commands/call.js';
import { trailingSlashTwin } from '../../src/cli/doctor/upgrade-findings.js';
import { tlsCheck } from '../../src/cli/doctor/checks/tls.js';
import { DEFAULT_BUDGETS, type DoctorContext } from '../../src/cli/doctor/context.js';
import { renderCheck } from '../../src/cli/doctor/render.js';
import { createTerm } from '../../src/cli/term.js';

describe('the target URL', () => {
  it('takes a base URL and adds the incoming_call path; a plain-http target maps its https/wss twin', () => {
    expect(parseTarget('http://127.0.0.1:5000')).toEqual({
      origin: 'http://127.0.0.1:5000',
      host: '127.0.0.1:5000',
      secure: false,
      webhookUrl: 'http://127.0.0.1:5000/webhook/incoming_call',
      networkMap: { 'https://127.0.0.1:5000': 'http://127.0.0.1:5000' },
    });
    expect(parseTarget('ai-crm.example.com')).toMatchObject({
      origin: 'https://ai-crm.example.com',
      webhookUrl: 'https://ai-crm.example.com/webhook/incoming_call',
      networkMap: {},
    });
  });

  it('keeps a full webhook URL as given, query included', () => {
    expect(parseTarget('https://x.example.com/hooks/voice?a=1').webhookUrl).toBe(
      'https://x.example.com/hooks/voice?a=1',
    );
  });

  it.each(['', 'ftp://x.example.com', 'https://user:pw@x.example.com', 'http://[bad'])(
    'refuses %j with a usage error',
    (raw) => {
      expect(() => parseTarget(raw)).toThrow(UsageError);
    },
  );
});

describe('the auth token', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cli-token-'));
  const config = { twilioAuthToken: undefined, twilioAccountSid: undefined, dataDir };

  it('prefers --auth-token, then TWILIO_AUTH_TOKEN, then the local token file', async () => {
    writeFileSync(path.join(dataDir, 'local-auth-token'), 'local-token-0123456789abcdef0123456789\n');
    expect(
      await resolveCredentials({
        authToken: 'flag-token',
        config: { ...config, twilioAuthToken: 'env-token' },
      }),
    ).toMatchObject({
      authToken: 'flag-token',
      tokenSource: '--auth-token',
    });
    expect(await resolveCredentials({ config: { ...config, twilioAuthToken: 'env-token' } })).toMatchObject({
      authToken: 'env-token',
      tokenSource: 'TWILIO_AUTH_TOKEN',
    });
    const local = await resolveCredentials({ config });
    expect(local.authToken).toBe('local-token-0123456789abcdef0123456789');
    expect(local.tokenSource).toContain('local-auth-token');
    expect(local.accountSid).toBe(PLACEHOLDER_ACCOUNT_SID);
  });

  it('says where to find a token when there is none, and refuses a malformed AccountSid', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'cli-token-'));
    await expect(resolveCredentials({ config: { ...config, dataDir: empty } })).rejects.toThrow(
      /--auth-token/,
    );
    await expect(resolveCredentials({ authToken: 't', accountSid: 'AC123' })).rejects.toThrow(UsageError);
  });
});

describe('--dtmf', () => {
  it('reads keys with an optional time in seconds', () => {
    expect(parseDtmf(['1#', '3@4.5', '*0@0'])).toEqual([
      { digits: '1#' },
      { digits: '3', atMs: 4500 },
      { digits: '*0', atMs: 0 },
    ]);
  });

  it.each(['', 'a', '1@x', '1@-2', '12@3@4'])('refuses %j', (spec) => {
    expect(() => parseDtmf([spec])).toThrow(UsageError);
  });
});

describe('--agent', () => {
  it('reads number=behaviour, for phone numbers, sip: and client: targets', () => {
    expect(
      parseAgents(['+972501234567=accept', 'sip:dana@pbx.example.com=busy', 'client:yossi=no-answer']),
    ).toEqual({
      '+972501234567': 'accept',
      'sip:dana@pbx.example.com': 'busy',
      'client:yossi': 'no-answer',
    });
  });

  it.each(['+972501234567', '+972501234567=maybe', '=accept', '+97250 1234567=accept'])(
    'refuses %j',
    (spec) => {
      expect(() => parseAgents([spec])).toThrow(UsageError);
    },
  );

  it('refuses a number given twice', () => {
    expect(() => parseAgents(['+1=accept', '+1=decline'])).toThrow(/given twice/);
  });
});

describe('the trailing-slash twin', () => {
  it('toggles the trailing slash and keeps the rest', () => {
    expect(trailingSlashTwin('wss://h.example.com/ws/twilio-media')).toBe(
      'wss://h.example.com/ws/twilio-media/',
    );
    expect(trailingSlashTwin('wss://h.example.com:8443/ws/twilio-media/')).toBe(
      'wss://h.example.com:8443/ws/twilio-media',
    );
  });
});

describe('the TLS check', () => {
  it('fails a self-signed certificate for another name as tls-invalid-certificate (31910)', async () => {
    const dir = path.join(import.meta.dirname, 'fixtures');
    const server = https.createServer(
      {
        key: readFileSync(path.join(dir, 'self-signed.key')),
        cert: readFileSync(path.join(dir, 'self-signed.crt')),
      },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const ctx = {
        target: parseTarget(`https://127.0.0.1:${port}`),
        budgets: DEFAULT_BUDGETS,
        facts: {},
      } as DoctorContext;
      const outcome = await tlsCheck.run(ctx);
      expect(outcome.findings?.map((f) => [f.cause, f.twilio?.code])).toEqual([
        ['tls-invalid-certificate', 31910],
      ]);
      expect(outcome.saw?.[0]).toContain('wrong.example.com');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('fails a port without TLS as tls-handshake (31910)', async () => {
    const plain = (await import('node:http')).createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const port = (plain.address() as AddressInfo).port;
    try {
      const ctx = {
        target: parseTarget(`https://127.0.0.1:${port}`),
        budgets: DEFAULT_BUDGETS,
        facts: {},
      } as DoctorContext;
      const outcome = await tlsCheck.run(ctx);
      expect(outcome.findings?.map((f) => [f.cause, f.twilio?.code])).toEqual([['tls-handshake', 31910]]);
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});

describe('output on a pipe', () => {
  it('is plain text: [FAIL] markers, no escape codes, no spinner', () => {
    const out = new PassThrough();
    const term = createTerm(out);
    expect(term.tty).toBe(false);
    term.progress('working')();
    const lines = renderCheck(
      term,
      {
        n: 5,
        id: 'ws-upgrade',
        title: 'WebSocket upgrade',
        status: 'fail',
        summary: '/ws/twilio-media answered HTTP 404',
        saw: ['wss://x/ws/twilio-media answered HTTP 404'],
        findings: [
          {
            severity: 'fail',
            cause: 'ws-not-found',
            message: 'nothing serves a WebSocket here.',
            twilio: { code: 31920, title: 'Stream - WebSocket - Handshake Error' },
            fix: 'serve it',
          },
        ],
        ms: 3,
      },
      false,
    );
    const text = lines.join('\n');
    expect(text).toContain('[FAIL] 5. WebSocket upgrade');
    expect(text).toContain('problem [ws-not-found] · Twilio 31920 Stream - WebSocket - Handshake Error');
    expect(text).not.toContain('\u001b[');
    expect(out.read()).toBeNull();
  });
});
