// The Twilio side of the configuration: the account and REST origin, how strictly webhook and
// media-stream signatures are checked, and the limits on media sockets waiting for `start`.
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { empty, int, opt } from './schema-kit.js';
import { isLoopbackUrl, LOOPBACK } from './secrets.js';

export type SignatureMode = 'enforce' | 'log-only';

const signatureMode = z.preprocess(
  empty,
  z
    .enum(['enforce', 'log-only'], { message: 'must be "enforce" or "log-only"' })
    .optional()
    .transform((v): SignatureMode => v ?? 'enforce'),
);

export const twilioEnvSchema = z.object({
  TWILIO_ACCOUNT_SID: opt(
    z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'must look like AC + 32 hex digits' }),
  ),
  TWILIO_AUTH_TOKEN: opt(z.string().min(16, { message: 'looks too short for a Twilio auth token' })),
  TWILIO_API_BASE_URL: opt(
    z
      .string()
      .regex(/^https?:\/\/[^/?#]+/, { message: 'must be an http(s):// URL' })
      .refine((v) => !/^http:/i.test(v) || isLoopbackUrl(v), {
        message: `http:// sends the auth token in cleartext: use https://, or http:// only to ${LOOPBACK}`,
      }),
  ),
  WEBHOOK_SIGNATURE_CHECK: signatureMode,
  STREAM_SIGNATURE_CHECK: signatureMode,
  STREAM_START_TIMEOUT_MS: int(5000, 100, 60000),
  STREAM_MAX_PENDING: int(256, 1, 100000),
  STREAM_MAX_PENDING_PER_ADDRESS: int(64, 1, 100000),
});

export type TwilioSettings = Pick<
  Config,
  | 'twilioAccountSid'
  | 'twilioAuthToken'
  | 'twilioApiBaseUrl'
  | 'webhookSignatureMode'
  | 'streamSignatureMode'
  | 'streamStartTimeoutMs'
  | 'streamMaxPending'
  | 'streamMaxPendingPerAddress'
>;

export function twilioConfig(e: z.infer<typeof twilioEnvSchema>): TwilioSettings {
  if (e.WEBHOOK_SIGNATURE_CHECK === 'log-only' && e.STREAM_SIGNATURE_CHECK === 'log-only') {
    throw new ConfigError([
      'WEBHOOK_SIGNATURE_CHECK and STREAM_SIGNATURE_CHECK are both log-only: anyone could then fake a ' +
        'call and open its media stream; keep at least one of them "enforce"',
    ]);
  }
  return {
    twilioAccountSid: e.TWILIO_ACCOUNT_SID,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    twilioApiBaseUrl: e.TWILIO_API_BASE_URL,
    webhookSignatureMode: e.WEBHOOK_SIGNATURE_CHECK,
    streamSignatureMode: e.STREAM_SIGNATURE_CHECK,
    streamStartTimeoutMs: e.STREAM_START_TIMEOUT_MS,
    streamMaxPending: e.STREAM_MAX_PENDING,
    streamMaxPendingPerAddress: e.STREAM_MAX_PENDING_PER_ADDRESS,
  };
}
