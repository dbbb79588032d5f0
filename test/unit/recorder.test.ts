import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallRecorder } from '../../src/call/recorder.js';
import { readWav } from '../../src/audio/wav.js';

const frame = (byte: number, n = 160) => Buffer.alloc(n, byte);

describe('CallRecorder', () => {
  it('writes the caller left and the agent right, as heard, into a valid stereo μ-law WAV', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rec-')), 'calls', 'CA1', 'call.wav');
    const r = new CallRecorder(file);
    r.caller(frame(0x10));
    r.agent(frame(0x20, 240)); // 30 ms of agent audio
    r.caller(frame(0x11));
    r.caller(frame(0x12));
    expect(await r.finish()).toBeCloseTo(0.06);
    const wav = readWav(new Uint8Array(readFileSync(file)));
    expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 2, frames: 480 });
    const left = wav.data.filter((_, i) => i % 2 === 0);
    const right = wav.data.filter((_, i) => i % 2 === 1);
    expect([left[0], left[160], left[320]]).toEqual([0x10, 0x11, 0x12]);
    // The agent audio starts after the frame during which it was sent, and lasts 240 samples.
    expect(right.slice(0, 160).every((b) => b === 0xff)).toBe(true);
    expect(right.slice(160, 400).every((b) => b === 0x20)).toBe(true);
    expect(right.slice(400).every((b) => b === 0xff)).toBe(true);
  });

  it('drops unheard agent audio on clear', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rec-')), 'call.wav');
    const r = new CallRecorder(file);
    r.agent(frame(0x20, 800));
    r.caller(frame(0x10));
    r.clear();
    r.caller(frame(0x10));
    await r.finish();
    const right = readWav(new Uint8Array(readFileSync(file))).data.filter((_, i) => i % 2 === 1);
    expect(right.slice(0, 160).every((b) => b === 0x20)).toBe(true);
    expect(right.slice(160).every((b) => b === 0xff)).toBe(true);
  });

  it('records base64 frames as Twilio sends them exactly like decoded ones, small or large', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rec-'));
    const a = new CallRecorder(path.join(dir, 'a.wav'));
    const b = new CallRecorder(path.join(dir, 'b.wav'));
    const small = Buffer.from(Array.from({ length: 160 }, (_, i) => i));
    const large = Buffer.from(Array.from({ length: 1600 }, (_, i) => (i * 7) & 0xff)); // beyond the scratch
    for (const r of [a, b]) r.agent(frame(0x20, 500));
    a.caller(small);
    a.caller(large);
    b.callerBase64(small.toString('base64'));
    b.callerBase64(large.toString('base64'));
    await Promise.all([a.finish(), b.finish()]);
    const wavA = readWav(new Uint8Array(readFileSync(path.join(dir, 'a.wav'))));
    const wavB = readWav(new Uint8Array(readFileSync(path.join(dir, 'b.wav'))));
    expect(wavB.frames).toBe(1760);
    expect(Buffer.from(wavB.data).equals(Buffer.from(wavA.data))).toBe(true);
    const left = wavB.data.filter((_, i) => i % 2 === 0);
    expect(Buffer.from(left.slice(160)).equals(large)).toBe(true);
  });

  it('records agent audio given as base64 like bytes, across frames, and forgets it on clear', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rec-'));
    const a = new CallRecorder(path.join(dir, 'a.wav'));
    const b = new CallRecorder(path.join(dir, 'b.wav'));
    const chunks = [frame(0x21, 100), frame(0x22, 250), frame(0x23, 1000)]; // the last beyond the scratch
    for (const c of chunks) {
      a.agent(c);
      b.agentBase64(c.toString('base64'));
    }
    for (const r of [a, b]) {
      r.caller(frame(0x10));
      r.caller(frame(0x10));
      r.clear();
      r.caller(frame(0x10));
    }
    await Promise.all([a.finish(), b.finish()]);
    const right = (f: string) =>
      readWav(new Uint8Array(readFileSync(path.join(dir, f)))).data.filter((_, i) => i % 2 === 1);
    expect(Buffer.from(right('b.wav')).equals(Buffer.from(right('a.wav')))).toBe(true);
    const heard = right('b.wav');
    expect([heard[0], heard[99], heard[100], heard[319], heard[320]]).toEqual([0x21, 0x21, 0x22, 0x22, 0xff]);
  });

  it('records a long call without holding it in memory', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rec-')), 'long.wav');
    const r = new CallRecorder(file);
    for (let i = 0; i < 3000; i++) r.caller(frame(i & 0xff)); // one minute
    expect(await r.finish()).toBeCloseTo(60);
    expect(readWav(new Uint8Array(readFileSync(file))).frames).toBe(480_000);
  });
});

describe('CallRecorder over a long call', () => {
  it('keeps both legs sample-exact across many flushes, with deltas of any size and clears', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rec-')), 'long.wav');
    const r = new CallRecorder(file);
    const left: number[] = [];
    const right: number[] = [];
    let queue: number[] = [];
    for (let f = 0; f < 600; f++) {
      if (f % 7 === 0) {
        const delta = Buffer.alloc(37 + ((f * 13) % 900), (f % 250) + 1);
        queue.push(...delta);
        if (f % 2) r.agent(delta);
        else r.agentBase64(delta.toString('base64'));
      }
      if (f % 97 === 96) {
        r.clear();
        queue = [];
      }
      const caller = Buffer.alloc(160, f & 0xff);
      r.callerBase64(caller.toString('base64'));
      for (const b of caller) {
        left.push(b);
        right.push(queue.length ? queue.shift()! : 0xff);
      }
    }
    expect(await r.finish()).toBeCloseTo(12);
    const wav = readWav(new Uint8Array(readFileSync(file)));
    expect(wav.frames).toBe(96_000);
    const data = Buffer.from(wav.data);
    const expected = Buffer.alloc(data.length);
    left.forEach((b, i) => (expected[i * 2] = b));
    right.forEach((b, i) => (expected[i * 2 + 1] = b));
    expect(data.equals(expected)).toBe(true);
  });
});
