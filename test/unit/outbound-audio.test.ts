// OutboundAudio over a real WebSocket pair on 127.0.0.1:0: what Twilio receives (media of at most
// 50 ms, a mark per ~100 ms of audio and one when the audio stops), and in how many socket writes;
// with frames written on ws's socket by hand and through ws's API (WS_DIRECT_FRAMES=false).
import { describe, expect, it, vi } from 'vitest';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { FRAMES_STALLED_MS, MARK_IDLE_MS, OutboundAudio } from '../../src/call/outbound-audio.js';
import { PlaybackTracker } from '../../src/call/playback.js';
import { attachDirectFrames, type DirectFrames } from '../../src/ws/direct-frames.js';
import { useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

interface Pair {
  server: WebSocket;
  frames: DirectFrames;
  received: { event: string; streamSid: string; media?: { payload: string }; mark?: { name: string } }[];
  close(): Promise<void>;
}

const defer = useCleanup();
const clients: WebSocket[] = [];

async function pair(direct: boolean): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', (ws) => resolve(ws)));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(client);
  const received: Pair['received'] = [];
  client.on('message', (data) => received.push(JSON.parse(String(data)) as Pair['received'][number]));
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  const server = await serverSide;
  const frames = attachDirectFrames(server, () => undefined, { enabled: direct });
  expect(frames.direct).toBe(direct);
  const p: Pair = {
    server,
    frames,
    received,
    close: async () => {
      client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  defer(() => p.close());
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const delta = (byte: number) => ({ base64: Buffer.alloc(160, byte).toString('base64') });
/** Runs `body` with fake timers and a fake performance.now(), then puts the real ones back. */
const onFakeClock = (body: () => void) => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  try {
    body();
  } finally {
    vi.useRealTimers();
  }
};

describe.each([true, false])('OutboundAudio, direct frames %s', (direct) => {
  it('reports a slow reader once over 1 MB waits in the socket, and stops sending', async () => {
    const p = await pair(direct);
    const client = clients[clients.length - 1]!;
    (client as unknown as { _socket: Duplex })._socket.pause(); // Twilio stops reading
    let slow = 0;
    const out = new OutboundAudio(p.frames, 'MZ1', new PlaybackTracker(), () => (slow += 1));
    const second = Buffer.alloc(8000, 0x55); // one second of audio, ~14 KB on the wire
    let plays = 0;
    while (slow === 0 && plays < 2000) {
      out.play(second);
      plays += 1;
      if (plays % 50 === 0) await sleep(1); // let the kernel buffers fill
    }
    expect(slow).toBe(1);
    expect(plays).toBeGreaterThan(60); // not before ~1 MB (plus what the kernel took) was queued
    const queued = (p.server as unknown as { _socket: Duplex })._socket.writableLength;
    expect(queued).toBeGreaterThan(1024 * 1024);
    out.play(second); // ignored from now on
    expect((p.server as unknown as { _socket: Duplex })._socket.writableLength).toBe(queued);
    expect(slow).toBe(1);
  });

  it('sends 50 ms media frames with a mark after every 100 ms of audio and after the last one', async () => {
    const p = await pair(direct);
    const playback = new PlaybackTracker();
    const out = new OutboundAudio(p.frames, 'MZ1', playback, () => undefined);
    out.play(Buffer.alloc(2000, 0x55)); // 250 ms
    expect(playback.pendingMs()).toBe(250);
    await until(() => p.received.length, 'eight messages', { is: (n) => n >= 8 });
    expect(p.received.map((m) => m.event)).toEqual([
      'media',
      'media',
      'mark',
      'media',
      'media',
      'mark',
      'media',
      'mark',
    ]);
    expect(p.received.every((m) => m.streamSid === 'MZ1')).toBe(true);
    expect(p.received.filter((m) => m.mark).map((m) => m.mark!.name)).toEqual([
      'g0:100:1',
      'g0:200:2',
      'g0:250:3',
    ]);
    expect(Buffer.from(p.received[0]!.media!.payload, 'base64').length).toBe(400);
    expect(out.counts).toEqual({ framesOut: 5, bytesOut: 2000, marksOut: 3 });
    out.dispose();
  });

  it('marks 20 ms deltas once per 100 ms, and the tail once the audio pauses', async () => {
    const p = await pair(direct);
    const playback = new PlaybackTracker();
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ2', playback, () => undefined);
      for (let i = 0; i < 7; i++) {
        if (i > 0) vi.advanceTimersByTime(2); // a burst faster than real time, no caller frames
        out.play(delta(i));
      }
      vi.advanceTimersByTime(MARK_IDLE_MS - 1); // the tail mark is due MARK_IDLE_MS after the last play
      expect(out.counts.marksOut).toBe(1);
      vi.advanceTimersByTime(1);
      expect(out.counts.marksOut).toBe(2);
      out.dispose();
    });
    await until(() => p.received.filter((m) => m.event === 'mark').length, 'two marks', {
      is: (n) => n >= 2,
    });
    const events = p.received.map((m) => m.event);
    expect(events.filter((e) => e === 'media')).toHaveLength(7);
    expect(events.indexOf('mark')).toBe(5); // right after the fifth delta, in order
    expect(p.received.filter((m) => m.mark).map((m) => m.mark!.name)).toEqual(['g0:100:1', 'g0:140:2']);
    // Each delta's payload goes through untouched.
    expect(p.received[0]!.media!.payload).toBe(delta(0).base64);
    // The tracker is exact at the marks: acking the tail mark means everything was heard.
    expect(playback.ack('g0:140:2')).toBe(true);
    expect(playback.pendingMs()).toBe(0);
  });

  it('writes the media and marks of one play() to the socket at once', async () => {
    const p = await pair(direct);
    const socket = (p.server as unknown as { _socket: Duplex })._socket as Duplex & {
      _writev: (...args: unknown[]) => void;
      _write: (...args: unknown[]) => void;
    };
    let writes = 0;
    const writev = socket._writev.bind(socket);
    const write = socket._write.bind(socket);
    socket._writev = (...args) => {
      writes += 1;
      writev(...args);
    };
    socket._write = (...args) => {
      writes += 1;
      write(...args);
    };
    const out = new OutboundAudio(p.frames, 'MZ3', new PlaybackTracker(), () => undefined);
    out.play(Buffer.alloc(1600, 0x55)); // 4 media + 2 marks
    expect(writes).toBe(direct ? 1 : 6); // ws writes each message as it is sent
    await until(() => p.received.length, 'six messages', { is: (n) => n >= 6 });
    out.dispose();
  });

  it('owes no mark for audio a clear dropped', async () => {
    const p = await pair(direct);
    const playback = new PlaybackTracker();
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ4', playback, () => undefined);
      out.play(delta(1));
      out.play(delta(2));
      playback.interrupt();
      out.clear();
      vi.advanceTimersByTime(MARK_IDLE_MS); // when the tail mark would have been due
      expect(out.counts.marksOut).toBe(0);
      // The same pause after audio that was not cleared gets its mark.
      out.play(delta(3));
      vi.advanceTimersByTime(MARK_IDLE_MS);
      expect(out.counts.marksOut).toBe(1);
      out.dispose();
    });
    await until(() => p.received.length, 'five messages', { is: (n) => n >= 5 });
    expect(p.received.map((m) => m.event)).toEqual(['media', 'media', 'clear', 'media', 'mark']);
    expect(p.received[4]!.mark!.name).toBe('g1:20:1'); // the new generation's audio only
  });

  it('stops its timer when disposed', async () => {
    const p = await pair(direct);
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ5', new PlaybackTracker(), () => undefined);
      out.play(delta(1));
      expect(vi.getTimerCount()).toBe(1); // the tail mark's
      out.dispose();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(FRAMES_STALLED_MS * 2);
      expect(out.counts.marksOut).toBe(0);
    });
    // A message of ours after the media: had a mark been written, it would have come before it.
    p.server.send(JSON.stringify({ event: 'sentinel', streamSid: 'MZ5' }));
    await until(() => p.received.length, 'the sentinel', { is: (n) => n >= 2 });
    expect(p.received.map((m) => m.event)).toEqual(['media', 'sentinel']);
  });

  it("with caller frames flowing, the mark after the audio comes on the caller's media clock", async () => {
    const p = await pair(direct);
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ7', new PlaybackTracker(), () => undefined);
      const frame = (stamp: number) => {
        vi.advanceTimersByTime(20); // one frame every 20 ms, as Twilio sends them
        out.callerFrame(stamp);
      };
      frame(20);
      out.play(delta(1)); // 20 ms of audio, unmarked
      frame(40);
      out.play(delta(2)); // 40 ms unmarked; a caller frame came in between: no timer pushed back
      frame(60);
      expect(out.counts.marksOut).toBe(0);
      frame(80); // 40 ms since the last play: the audio stopped
      expect(out.counts.marksOut).toBe(1);
      frame(100);
      vi.advanceTimersByTime(FRAMES_STALLED_MS * 3);
      expect(out.counts.marksOut).toBe(1); // owed once
      out.dispose();
    });
    await until(() => p.received.length, 'three messages', { is: (n) => n === 3 });
    expect(p.received.map((m) => m.event)).toEqual(['media', 'media', 'mark']);
  });

  it('caller frames that arrive in clumps do not mark audio that is still playing', async () => {
    const p = await pair(direct);
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ10', new PlaybackTracker(), () => undefined);
      let stamp = 0;
      const frames = (n: number) => {
        for (let i = 0; i < n; i++) out.callerFrame((stamp += 20));
      };
      // 20 ms of agent audio every 20 ms; the caller's frames come three at a time every 60 ms.
      for (let t = 0; t < 4; t++) {
        if (t % 3 === 0) frames(3);
        out.play(delta(t));
        vi.advanceTimersByTime(20);
      }
      expect(out.counts.marksOut).toBe(0); // the media clock jumped 60 ms, the audio never paused
      // The audio has stopped; the frames come one by one.
      frames(1);
      expect(out.counts.marksOut).toBe(0); // 20 ms since the last play
      vi.advanceTimersByTime(20);
      frames(1);
      expect(out.counts.marksOut).toBe(1);
      out.dispose();
    });
  });

  it('caller frames that stop with the audio: the mark still comes, once the timer sees them stopped', async () => {
    const p = await pair(direct);
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ8', new PlaybackTracker(), () => undefined);
      out.play(delta(1));
      out.callerFrame(20);
      out.play(delta(2)); // the last audio, with frames flowing; then no frame ever again
      // The idle timer finds frames came since it was set, and watches for a second more.
      vi.advanceTimersByTime(MARK_IDLE_MS + FRAMES_STALLED_MS - 1);
      expect(out.counts.marksOut).toBe(0);
      vi.advanceTimersByTime(1);
      expect(out.counts.marksOut).toBe(1);
      out.dispose();
    });
    await until(() => p.received.length, 'the mark', { is: (n) => n === 3 });
    expect(p.received.map((m) => m.event)).toEqual(['media', 'media', 'mark']);
  });

  it('a stuck or garbled caller clock leaves the pause to the timer, pushed back by every play', async () => {
    const p = await pair(direct);
    onFakeClock(() => {
      const out = new OutboundAudio(p.frames, 'MZ9', new PlaybackTracker(), () => undefined);
      // A repeated stamp is not time passing, nor a garbled one: the frames cannot tell a pause.
      for (const stamp of [20, 20, Number.NaN, 20]) {
        out.callerFrame(stamp);
        out.play(delta(1));
        vi.advanceTimersByTime(MARK_IDLE_MS - 10);
      }
      expect(out.counts.marksOut).toBe(0);
      vi.advanceTimersByTime(10); // MARK_IDLE_MS after the last play
      expect(out.counts.marksOut).toBe(1);
      out.dispose();
    });
  });

  it('sends nothing once the socket is closed', async () => {
    const p = await pair(direct);
    const playback = new PlaybackTracker();
    const out = new OutboundAudio(p.frames, 'MZ6', playback, () => undefined);
    p.server.close();
    out.play(delta(1));
    expect(playback.pendingMs()).toBe(0);
    expect(out.counts.framesOut).toBe(0);
    out.dispose();
  });
});
