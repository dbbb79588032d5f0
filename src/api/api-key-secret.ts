// API key secrets: `al_` + 32 random bytes (base64url). Only the SHA-256 is stored; the key has
// 256 bits of entropy, so a fast hash is enough (no salt or stretching needed, unlike passwords).
import { createHash, randomBytes } from 'node:crypto';

const API_KEY_PREFIX = 'al_';
const KEY_SHAPE = /^al_[A-Za-z0-9_-]{43}$/;
/** What lists show of a key: enough to tell keys apart, far too little to guess the rest. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 6;

export interface NewKeySecret {
  key: string;
  prefix: string;
  secretHash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKeySecret(): NewKeySecret {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, DISPLAY_LENGTH), secretHash: hashApiKey(key) };
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/** The token of `Authorization: Bearer <token>`; undefined for any other scheme or shape. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}
