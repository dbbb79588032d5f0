// HOLD_MUSIC_URL: validated like every URL variable, and — since a ringing <Dial> gives the caller
// ringback tones only — reported at start-up rather than silently ignored.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { startTestServer } from '../support/server.js';

describe('HOLD_MUSIC_URL', () => {
  it('must be an http(s) URL', () => {
    expect(parseConfig({ HOLD_MUSIC_URL: 'https://cdn.example.com/hold.mp3' }).holdMusicUrl).toBe(
      'https://cdn.example.com/hold.mp3',
    );
    expect(parseConfig({}).holdMusicUrl).toBeUndefined();
    expect(() => parseConfig({ HOLD_MUSIC_URL: 'hold.mp3' })).toThrow(ConfigError);
    expect(() => parseConfig({ HOLD_MUSIC_URL: 'hold.mp3' })).toThrow(
      /HOLD_MUSIC_URL: must be an http\(s\):\/\/ URL/,
    );
  });

  it('is reported at start-up as not played, and the server starts', async () => {
    const s = await startTestServer({ HOLD_MUSIC_URL: 'https://cdn.example.com/hold.mp3' });
    try {
      expect(s.logs.find(/^HOLD_MUSIC_UNSUPPORTED/)).toHaveLength(1);
      expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
    const quiet = await startTestServer();
    try {
      expect(quiet.logs.find(/^HOLD_MUSIC_UNSUPPORTED/)).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});
