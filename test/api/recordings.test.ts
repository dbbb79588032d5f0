// GET /api/v1/recordings/:id/audio: local WAVs only from inside DATA_DIR, with 200/206/416 and
// the right Content-Type; Twilio voicemails fetched once (basic auth, against a fake Twilio on
// port 0), kept 0600 under DATA_DIR/recordings and served from there.
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.js';
import { startFakeTwilioRecordings, type FakeTwilioRecordings } from '../fakes/fake-twilio-recordings.js';
import { makeCall } from '../support/crm-fixtures.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/server.js';
import { sid } from '../store/contract/ids.js';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

describe('recording audio', () => {
  let s: CrmTestServer;
  let twilio: FakeTwilioRecordings;
  let outside: string;
  const wav = Buffer.from(
    writeWav({ encoding: 'mulaw', sampleRate: 8000, samples: new Uint8Array(8000).fill(0x7f) }),
  );

  beforeAll(async () => {
    twilio = await startFakeTwilioRecordings(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN);
    s = await startCrmTestServer({ TWILIO_API_BASE_URL: twilio.url });
    outside = mkdtempSync(path.join(tmpdir(), 'agentlocator-outside-'));
  });
  afterAll(async () => {
    await s.stop();
    await twilio.close();
    rmSync(outside, { recursive: true, force: true });
  });

  /** A recording row for a new call, its url as given. */
  async function recording(url: string, source = 'call-audio', agentId?: string): Promise<string> {
    const call = await makeCall(s.store, agentId ? { agentId } : {});
    const recordingSid = source === 'voicemail' ? (url.match(/RE[0-9a-f]{32}/)?.[0] ?? sid('RE')) : sid('LC');
    await s.store.upsertRecording({
      recordingSid,
      callSid: call.callSid,
      url,
      durationSec: 1,
      status: 'completed',
      source,
      at: new Date(),
    });
    return recordingSid;
  }

  function localFile(name: string, bytes: Buffer): string {
    const dir = path.join(s.dataDir, 'calls', sid());
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  }

  const audio = (id: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${s.api}/recordings/${id}/audio`, { method, headers });

  /** The status, with the body read: a response left unread holds its connection open. */
  const statusOf = async (response: Promise<Response>) => {
    const res = await response;
    await res.arrayBuffer();
    return res.status;
  };

  it('serves a local WAV whole, by range, and refuses a range past its end', async () => {
    const id = await recording(localFile('call-MZ1.wav', wav));
    const whole = await audio(id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-length')).toBe(String(wav.length));
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(wav);

    const part = await audio(id, { range: 'bytes=0-43' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-43/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(wav.subarray(0, 44));
    const tail = await audio(id, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(wav.subarray(wav.length - 10));

    const past = await audio(id, { range: `bytes=${wav.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${wav.length}`);
    const head = await audio(id, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(wav.length));
  });

  it('serves an MP3 answer clip as audio/mpeg', async () => {
    const id = await recording(localFile('name-LC.mp3', Buffer.from('ID3fake')), 'answer');
    const res = await audio(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
  });

  it('never serves a file outside DATA_DIR, not even through a symlink inside it', async () => {
    const elsewhere = path.join(outside, 'secret.wav');
    writeFileSync(elsewhere, wav);
    const direct = await audio(await recording(elsewhere));
    expect(direct.status).toBe(403);
    expect(await direct.json()).toMatchObject({ error: 'RECORDING_PATH_REFUSED' });
    const link = path.join(s.dataDir, 'calls', 'link.wav');
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(elsewhere, link);
    expect(await statusOf(audio(await recording(link)))).toBe(403);
    const traversal = await recording(
      path.join(s.dataDir, 'calls', '..', '..', path.basename(outside), 'secret.wav'),
    );
    expect(await statusOf(audio(traversal))).toBe(403);
    expect(s.logs.find(/^RECORDING_PATH_REFUSED/).length).toBe(3);

    expect(await statusOf(audio(await recording(path.join(s.dataDir, 'calls', 'gone.wav'))))).toBe(404);
    expect(await statusOf(audio(await recording(path.join(s.dataDir, 'notes.txt'))))).toBe(404);
    expect(await statusOf(audio(sid('RE')))).toBe(404);
    expect((await api(s, '/recordings/../audio')).status).toBe(404);
    expect((await api(s, '/recordings/XX12/audio')).body).toMatchObject({ field: 'id' });
  });

  it('fetches a voicemail from Twilio once, keeps it 0600 in DATA_DIR/recordings and serves ranges from there', async () => {
    const recordingSid = sid('RE');
    const body = Buffer.concat([wav, Buffer.from('voicemail')]);
    twilio.recordings.set(recordingSid, body);
    twilio.delayMs = 150;
    const id = await recording(
      `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${recordingSid}`,
      'voicemail',
    );
    const before = twilio.requests.length;
    // Three players at once: one fetch.
    const first = await Promise.all([audio(id), audio(id), audio(id, { range: 'bytes=4-7' })]);
    expect(first.map((r) => r.status)).toEqual([200, 200, 206]);
    expect(Buffer.from(await first[0]!.arrayBuffer())).toEqual(body);
    expect(Buffer.from(await first[2]!.arrayBuffer())).toEqual(body.subarray(4, 8));
    expect(first[0]!.headers.get('content-type')).toBe('audio/wav');
    await first[1]!.arrayBuffer();
    const fetched = twilio.requests.slice(before);
    expect(fetched).toEqual([
      { path: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${recordingSid}.wav`, authorized: true },
    ]);

    const kept = path.join(s.dataDir, 'recordings', `${recordingSid}.wav`);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    twilio.recordings.delete(recordingSid);
    const again = await audio(id, { range: 'bytes=0-3' });
    expect(again.status).toBe(206);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(body.subarray(0, 4));
    expect(twilio.requests.length).toBe(before + 1);
    // Twilio's URL never reaches the browser, neither in the call detail nor in headers.
    const call = (await s.store.getRecording(id))!.callSid;
    expect(JSON.stringify((await api(s, `/calls/${call}`)).body)).not.toContain('twilio.com');
    expect([...again.headers.values()].join(' ')).not.toContain('twilio');
    twilio.delayMs = 0;
  });

  it('says why a voicemail cannot be played: not at Twilio yet (not cached), wrong credentials', async () => {
    const recordingSid = sid('RE');
    const id = await recording(
      `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${recordingSid}`,
      'voicemail',
    );
    const missing = await audio(id);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'RECORDING_NOT_AT_TWILIO' });
    twilio.recordings.set(recordingSid, wav);
    expect(await statusOf(audio(id))).toBe(200);

    const other = sid('RE');
    twilio.recordings.set(other, wav);
    twilio.authToken = 'not-the-servers-token';
    try {
      const refused = await audio(
        await recording(
          `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${other}`,
          'voicemail',
        ),
      );
      expect(refused.status).toBe(502);
      expect(await refused.json()).toMatchObject({ error: 'TWILIO_AUTH_FAILED' });
    } finally {
      twilio.authToken = TEST_AUTH_TOKEN;
    }
    const foreign = await audio(
      await recording(
        `https://evil.example.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${sid('RE')}`,
        'voicemail',
      ),
    );
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ error: 'RECORDING_URL_UNKNOWN' });
  });

  it('hides another agent’s call audio from an agent user', async () => {
    const id = await recording(localFile('call-MZ2.wav', wav), 'call-audio', 'rivka');
    expect(await statusOf(audio(id, as('agent:yossi')))).toBe(404);
    expect(await statusOf(audio(id, as('agent:rivka')))).toBe(200);
  });
});

describe('stopping while audio is being sent', () => {
  it('lets the response finish, then closes its keep-alive connection instead of waiting on it', async () => {
    const s = await startCrmTestServer();
    const dir = path.join(s.dataDir, 'calls', sid());
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'call-long.wav');
    const big = Buffer.alloc(8 * 1024 * 1024, 0x7f);
    writeFileSync(file, big);
    const call = await makeCall(s.store);
    const recordingSid = sid('LC');
    await s.store.upsertRecording({
      recordingSid,
      callSid: call.callSid,
      url: file,
      durationSec: 1,
      status: 'completed',
      source: 'call-audio',
      at: new Date(),
    });

    const res = await fetch(`${s.api}/recordings/${recordingSid}/audio`);
    const reader = res.body!.getReader();
    let received = (await reader.read()).value!.length; // the rest waits on us: mid-response
    const stopping = s.stop();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      received += chunk.value.length;
    expect(received).toBe(big.length);
    // Without closing it once idle, the connection would hold the stop for the keep-alive timeout (72 s).
    const started = Date.now();
    await stopping;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
