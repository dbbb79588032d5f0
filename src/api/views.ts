// What the API answers about users and API keys: the shapes (zod, for the OpenAPI document) and
// the mappers from store records. Hashes never leave the store.
import { z } from 'zod';
import type { ApiKeyRecord, UserRecord } from '../store/auth-store.js';

export const userView = z.object({
  id: z.number().int(),
  username: z.string(),
  role: z.enum(['admin', 'agent']),
  agentId: z.string().nullable().describe('the directory agent this user answers as'),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof userView>;

export const apiKeyView = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the key, to tell keys apart'),
  createdBy: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toUserView(u: UserRecord): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    agentId: u.agentId,
    disabled: u.disabledAt !== null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function toApiKeyView(k: ApiKeyRecord): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}
