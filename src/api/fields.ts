// Input fields the access routes share (and other /api routes may reuse): usernames, passwords,
// numeric ids in the path.
import { z } from 'zod';
import type { Role } from '../store/auth-store.js';
import { MAX_PASSWORD_LENGTH } from './password.js';

/** Usernames are compared lower-case, without surrounding spaces. */
export const normaliseUsername = (raw: string): string => raw.trim().toLowerCase();

export const usernameField = z
  .string()
  .transform(normaliseUsername)
  .pipe(
    z.string().regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/, {
      message: '1-64 characters: letters, digits and . _ @ - (starting with a letter or digit)',
    }),
  );

/** NIST 800-63B: at least 8 characters, no composition rules; capped so hashing stays bounded. */
export const passwordField = z
  .string()
  .min(8, { message: 'must be at least 8 characters' })
  .max(MAX_PASSWORD_LENGTH, { message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });

export const roleField = z.enum(['admin', 'agent'] satisfies Role[]);

export const agentIdField = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty (send null to unlink)' })
  .max(128, { message: 'must be at most 128 characters' })
  .nullable();

/** `/things/:id` with a positive whole-number id. */
export const idParams = z.object({
  id: z.coerce.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).positive(),
});
