import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/errors.js';
import { mulawDecode } from '../../src/audio/mulaw.js';
import {
  closeTts,
  promptCacheKey,
  renderPromptCached,
  synthesize,
  synthesizeMulaw8k,
} from '../../src/audio/tts.js';

const HELLO = 'שלום לכם';
const YES = 'כן';

afterAll(async () => {
  await closeTts();
});

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return Math.sqrt(sum / pcm.length);
}

describe('synthesize', () => {
  it('speaks Hebrew as 22.05 kHz PCM of plausible length and loudness', async () => {
    const { sampleRate, pcm } = await synthesize(HELLO);
    expect(sampleRate).toBe(22050);
    expect(pcm.length / sampleRate).toBeGreaterThan(0.3);
    expect(pcm.length / sampleRate).toBeLessThan(2.5);
    expect(rms(pcm)).toBeGreaterThan(500);
  });

  it('serves overlapping calls, each with its own text', async () => {
    // eSpeak's noise source is random, so renders of one text differ slightly, never in substance.
    const [a, b, again] = await Promise.all([synthesize(HELLO), synthesize(YES), synthesize(HELLO)]);
    expect(Math.abs(again.pcm.length - a.pcm.length)).toBeLessThan(a.pcm.length * 0.01);
    expect(b.pcm.length).toBeLessThan(a.pcm.length * 0.7);
  });

  it('renders μ-law at 8 kHz for the phone line', async () => {
    const [{ pcm, sampleRate }, mulaw] = await Promise.all([synthesize(YES), synthesizeMulaw8k(YES)]);
    expect(mulaw.length / 8000).toBeCloseTo(pcm.length / sampleRate, 1);
    expect(rms(mulawDecode(mulaw))).toBeGreaterThan(500);
  });

  it('returns no samples for blank text', async () => {
    expect((await synthesize('  \n')).pcm.length).toBe(0);
  });

  it('rejects an unknown voice and out-of-range settings with an AudioError', async () => {
    await expect(synthesize(YES, { voice: 'zz' })).rejects.toMatchObject({ code: 'TTS_UNKNOWN_VOICE' });
    await expect(synthesize(YES, { voice: '../../etc' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(synthesize(YES, { rate: 1000 })).rejects.toThrow(/rate/);
    await expect(synthesize(YES, { pitch: -1 })).rejects.toBeInstanceOf(AudioError);
    await expect(synthesize('א'.repeat(6000))).rejects.toThrow(/limit/);
  });

  it('fails requests cut off by closeTts, and starts a fresh engine on the next call', async () => {
    const outcome = expect(synthesize(HELLO)).rejects.toMatchObject({ code: 'TTS_FAILED' });
    await closeTts();
    await outcome;
    expect((await synthesize(YES)).pcm.length).toBeGreaterThan(0);
  });
});

describe('renderPromptCached', () => {
  it('renders a prompt once into a file named by its key, then serves that file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tts-cache-'));
    try {
      const [first, concurrent] = await Promise.all([
        renderPromptCached(YES, dir),
        renderPromptCached(YES, dir),
      ]);
      expect(concurrent).toEqual(first);
      expect(rms(mulawDecode(first))).toBeGreaterThan(500);
      const key = promptCacheKey(YES);
      expect(await readdir(dir)).toEqual([`${key}.ulaw`]);

      // Prove the second call reads the file instead of rendering again.
      await writeFile(join(dir, `${key}.ulaw`), Uint8Array.of(1, 2, 3));
      expect([...(await renderPromptCached(YES, dir))]).toEqual([1, 2, 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keys prompts by text, voice and settings', () => {
    const base = promptCacheKey(YES);
    expect(promptCacheKey(YES, { voice: 'he', rate: 175, pitch: 50 })).toBe(base);
    expect(promptCacheKey(HELLO)).not.toBe(base);
    expect(promptCacheKey(YES, { pitch: 60 })).not.toBe(base);
    expect(promptCacheKey(YES, { rate: 150 })).not.toBe(base);
    expect(promptCacheKey(YES, { voice: 'en' })).not.toBe(base);
  });

  it('reports an unwritable cache directory as CACHE_FAILED', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tts-cache-'));
    try {
      const notADir = join(dir, 'file');
      await writeFile(notADir, 'x');
      await expect(renderPromptCached(YES, notADir)).rejects.toMatchObject({ code: 'CACHE_FAILED' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
