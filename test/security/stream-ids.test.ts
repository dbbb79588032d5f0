// streamSid/callSid at the edge (issue 15): a start whose sids are not Twilio's shape closes 1008
// before anything is built from them, a traversal never writes outside DATA_DIR, a NUL byte throws
// nowhere, and the other calls go on. Paths built from ids are checked wherever they are made.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathInside, UnsafePathError } from '../../src/data-path.js';
import { startRecording } from '../../src/call/call-actions.js';
import { parseInbound, encodeStart } from '../../src/twilio/stream-messages.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { closedWithin, connect, echoAgents, liveCall, newCall, sendStart, until } from './stream-client.js';

const hex = (c: string) => c.repeat(32);

describe('the start frame parse', () => {
  const start = (streamSid: string, callSid: string, inner = streamSid) =>
    JSON.parse(
      encodeStart({
        sequenceNumber: 1,
        accountSid: 'AC1',
        streamSid: inner,
        callSid,
        customParameters: {},
      }).replace(/"streamSid":"[^"]*"}$/, `"streamSid":${JSON.stringify(streamSid)}}`),
    ) as unknown;

  it("accepts Twilio's sids only, and says the bad frame was a start", () => {
    const good = parseInbound(JSON.stringify(start(`MZ${hex('a')}`, `CA${hex('b')}`)));
    expect(good.ok).toBe(true);
    for (const [streamSid, callSid, inner] of [
      ['/../../../../srv/x', `CA${hex('b')}`, undefined],
      [`MZ${'a'.repeat(31)}\u0000`, `CA${hex('b')}`, undefined],
      [`MZ${hex('A')}`, `CA${hex('b')}`, undefined],
      [`MZ${hex('a')}`, `CA${'b'.repeat(31)}/`, undefined],
      [`MZ${hex('a')}`, `CA${hex('b')}`, `MZ${hex('c')}`],
    ] as const) {
      const r = parseInbound(JSON.stringify(start(streamSid, callSid, inner ?? streamSid)));
      expect(r.ok, streamSid).toBe(false);
      if (!r.ok) expect(r.event).toBe('start');
    }
  });

  it('never reaches Object.prototype for an event name', () => {
    for (const event of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const r = parseInbound(JSON.stringify({ event }));
      expect(r.ok).toBe(false);
    }
  });
});

describe('paths built from ids', () => {
  const root = '/data/agentlocator';

  it('stay inside the root, one plain segment per id', () => {
    expect(pathInside(root, 'calls', `CA${hex('1')}`, 'call-x.wav')).toBe(
      `${root}/calls/CA${hex('1')}/call-x.wav`,
    );
    for (const segments of [
      ['calls', '..', 'x'],
      ['calls', 'a/../../x'],
      ['calls', '/etc/passwd'],
      ['calls', 'nul\u0000byte'],
      ['calls', 'back\\slash'],
      ['calls', ''],
      ['.'],
    ]) {
      expect(() => pathInside(root, ...segments), segments.join('|')).toThrow(UnsafePathError);
    }
  });

  it('make no recording (and throw nothing) for ids that would leave DATA_DIR', () => {
    const log = pino({ level: 'silent' });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'agentlocator-ids-'));
    try {
      expect(
        startRecording(dataDir, { callSid: `CA${hex('1')}`, streamSid: '/../../../x' }, log),
      ).toBeUndefined();
      expect(startRecording(dataDir, { callSid: '..', streamSid: `MZ${hex('1')}` }, log)).toBeUndefined();
      expect(
        startRecording(dataDir, { callSid: `CA${hex('1')}`, streamSid: 'a\u0000b' }, log),
      ).toBeUndefined();
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a start with hostile sids on the running server', () => {
  let s: TestServer;
  const escapeDir = path.join(tmpdir(), `agentlocator-escape-${process.pid}`);
  beforeAll(async () => {
    // A long start timeout: a stream left waiting would not close on its own during the test.
    s = await startTestServer(
      { STREAM_START_TIMEOUT_MS: '20000', RECORD_CALLS: 'true' },
      { agents: echoAgents() },
    );
  });
  afterAll(async () => {
    await s.stop();
    rmSync(escapeDir, { recursive: true, force: true });
  });

  it('closes 1008 on a traversal streamSid with a valid token, writing nothing outside DATA_DIR', async () => {
    const other = await liveCall(s);
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    const traversal = `/${'../'.repeat(24)}${escapeDir.slice(1)}/x`;
    sendStart(o, callSid, token, traversal);
    expect((await closedWithin(o, 2000)).code).toBe(1008);
    expect(s.logs.find('WS_REJECTED').at(-1)).toMatchObject({ code: 'STREAM_NO_START' });
    expect(existsSync(escapeDir)).toBe(false);
    // The call's own token was not used up by the bad frame, and the other call never noticed.
    const retry = await connect(s);
    sendStart(retry, callSid, token);
    await until(() => s.logs.find('WS_START').some((l) => l.callSid === callSid));
    await other.echoes();
    retry.ws.close();
    other.o.ws.close();
  });

  it('closes 1008 on a NUL byte in the streamSid, with nothing thrown', async () => {
    const other = await liveCall(s);
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    sendStart(o, callSid, token, `MZ${'0'.repeat(31)}\u0000`);
    expect((await closedWithin(o, 2000)).code).toBe(1008);
    expect(s.logs.find(/^INTERNAL|^UNCAUGHT/)).toEqual([]);
    await other.echoes();
    other.o.ws.close();
  });
});
