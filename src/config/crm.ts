// The CRM's settings: session signing, the first admin's password, the zone its days are
// counted in, and the signed `call.completed` webhook out.
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { opt } from './schema-kit.js';

export const crmEnvSchema = z.object({
  SESSION_SECRET: opt(z.string().min(32, { message: 'must be at least 32 characters' })),
  ADMIN_PASSWORD: opt(
    z.string().min(8, { message: 'must be at least 8 characters' }).max(1024, { message: 'is too long' }),
  ),
  TIMEZONE: opt(
    z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Asia/Jerusalem' }),
  ),
  CRM_WEBHOOK_URL: opt(z.string().regex(/^https?:\/\/[^/?#\s]+/i, { message: 'must be an http(s):// URL' })),
  CRM_WEBHOOK_SECRET: opt(z.string().min(16, { message: 'must be at least 16 characters' })),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type CrmSettings = Pick<Config, 'sessionSecret' | 'adminPassword' | 'timezone' | 'crmWebhook'>;

export function crmConfig(e: z.infer<typeof crmEnvSchema>): CrmSettings {
  if (e.CRM_WEBHOOK_URL && !e.CRM_WEBHOOK_SECRET) {
    throw new ConfigError([
      'CRM_WEBHOOK_URL is set without CRM_WEBHOOK_SECRET: set a secret of at least 16 characters (the receiver verifies the signature with it)',
    ]);
  }
  return {
    sessionSecret: e.SESSION_SECRET,
    adminPassword: e.ADMIN_PASSWORD,
    timezone: e.TIMEZONE ?? 'Asia/Jerusalem',
    crmWebhook:
      e.CRM_WEBHOOK_URL && e.CRM_WEBHOOK_SECRET
        ? { url: e.CRM_WEBHOOK_URL, secret: e.CRM_WEBHOOK_SECRET }
        : undefined,
  };
}
