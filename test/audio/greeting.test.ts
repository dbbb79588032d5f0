import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureGreetingMp3 } from '../../src/audio/greeting.js';
import { closeTts } from '../../src/audio/tts.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'greeting-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await closeTts();
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('ensureGreetingMp3', () => {
  it('uses a configured file that exists, rendering nothing', async () => {
    const file = join(dataDir, 'mine.mp3');
    await writeFile(file, 'operator audio');
    expect(await ensureGreetingMp3({ text: 'שלום', dataDir, file })).toBe(file);
    expect(await exists(join(dataDir, 'tts'))).toBe(false);
  });

  it('renders the text to <dataDir>/tts/greeting_he.mp3 when the configured file is missing', async () => {
    const path = await ensureGreetingMp3({ text: 'שלום', dataDir, file: join(dataDir, 'missing.mp3') });
    expect(path).toBe(join(dataDir, 'tts', 'greeting_he.mp3'));
    const mp3 = await readFile(path);
    // An MPEG audio frame header: 11 sync bits, then Layer III.
    expect(mp3[0]).toBe(0xff);
    expect(mp3[1]! & 0xe0).toBe(0xe0);
    expect((mp3[1]! >> 1) & 3).toBe(1);
    expect(mp3.length).toBeGreaterThan(1500);
    expect(JSON.parse(await readFile(`${path}.json`, 'utf8'))).toMatchObject({ voice: 'he' });
  });

  it('keeps the rendering while the text is unchanged and renders again when it changes', async () => {
    const path = await ensureGreetingMp3({ text: 'שלום', dataDir });
    await writeFile(path, 'marker');
    expect(await ensureGreetingMp3({ text: 'שלום', dataDir })).toBe(path);
    expect(await readFile(path, 'utf8')).toBe('marker');
    await ensureGreetingMp3({ text: 'ברוכים הבאים', dataDir });
    expect((await readFile(path))[0]).toBe(0xff);
  });

  it('explains that there is nothing to play when the text is blank and no file exists', async () => {
    await expect(ensureGreetingMp3({ text: ' ', dataDir })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
