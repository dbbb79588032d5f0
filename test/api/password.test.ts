// scrypt password hashes: the stored string carries salt and parameters, verification is exact,
// and a malformed or absurd stored value never verifies (nor runs an unbounded hash).
import { describe, expect, it } from 'vitest';
import { bearerToken, hashApiKey, looksLikeApiKey, newApiKeySecret } from '../../src/api/api-key-secret.js';
import { dummyHash, generatePassword, hashPassword, verifyPassword } from '../../src/api/password.js';

describe('password hashes', () => {
  it('verify the right password only, with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([
      hashPassword('סיסמה-correct horse'),
      hashPassword('סיסמה-correct horse'),
    ]);
    expect(a).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('סיסמה-correct horse', a)).toBe(true);
    expect(await verifyPassword('סיסמה-correct horsE', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('honour the parameters stored with each hash', async () => {
    const stored = await hashPassword('pw-12345678');
    const weaker = stored.replace('ln=14', 'ln=10');
    // Same salt and key, other cost: a different derivation, so no match.
    expect(await verifyPassword('pw-12345678', weaker)).toBe(false);
  });

  it('never match a malformed or absurd stored value', async () => {
    const stored = await hashPassword('pw-12345678');
    const tampered = stored.slice(0, -2) + (stored.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [
      '',
      'plain',
      '$scrypt$',
      tampered,
      stored.replace('ln=14', 'ln=40'),
      stored.replace('p=5', 'p=0'),
    ]) {
      expect(await verifyPassword('pw-12345678', bad), bad).toBe(false);
    }
  });

  it('a dummy hash exists for unknown users, and generated passwords are long and random', async () => {
    expect(await dummyHash()).toMatch(/^\$scrypt\$/);
    expect(await dummyHash()).toBe(await dummyHash());
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe('API key secrets', () => {
  it('look like al_ + 43 characters, are hashed with SHA-256, and show a short prefix', () => {
    const { key, prefix, secretHash } = newApiKeySecret();
    expect(looksLikeApiKey(key)).toBe(true);
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix).toHaveLength(9);
    expect(secretHash).toBe(hashApiKey(key));
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(looksLikeApiKey(`${key}x`)).toBe(false);
  });

  it('read only the Bearer scheme from Authorization', () => {
    expect(bearerToken('Bearer al_abc')).toBe('al_abc');
    expect(bearerToken('bearer   al_abc ')).toBe('al_abc');
    expect(bearerToken('Basic YWxhZGRpbg==')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
