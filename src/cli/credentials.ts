// Which Twilio credentials the CLI signs with: --auth-token, else TWILIO_AUTH_TOKEN (through
// config.ts), else the server's local token file in DATA_DIR. The token itself is never printed.
import path from 'node:path';
import type { Config } from '../config.js';
import { LOCAL_TOKEN_FILE, readLocalToken } from '../local-token.js';
import { UsageError } from './target.js';

export interface Credentials {
  authToken: string;
  /** Where the token came from, for the report. */
  tokenSource: string;
  accountSid: string;
}

/** Used when neither --account-sid nor TWILIO_ACCOUNT_SID is set (the server then accepts any). */
export const PLACEHOLDER_ACCOUNT_SID = `AC${'d0c70'.repeat(6)}00`;

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

export async function resolveCredentials(input: {
  authToken?: string | undefined;
  accountSid?: string | undefined;
  config?: Pick<Config, 'twilioAuthToken' | 'twilioAccountSid' | 'dataDir'> | undefined;
}): Promise<Credentials> {
  const accountSid = input.accountSid ?? input.config?.twilioAccountSid ?? PLACEHOLDER_ACCOUNT_SID;
  if (!ACCOUNT_SID.test(accountSid))
    throw new UsageError('--account-sid must be AC followed by 32 hex digits');
  if (input.authToken !== undefined) {
    if (input.authToken.trim() === '') throw new UsageError('--auth-token is empty');
    return { authToken: input.authToken.trim(), tokenSource: '--auth-token', accountSid };
  }
  if (input.config?.twilioAuthToken) {
    return { authToken: input.config.twilioAuthToken, tokenSource: 'TWILIO_AUTH_TOKEN', accountSid };
  }
  if (input.config) {
    const file = path.join(input.config.dataDir, LOCAL_TOKEN_FILE);
    try {
      // A short or empty file is not a key (the server replaces it on its next start).
      const token = await readLocalToken(input.config.dataDir);
      if (token) return { authToken: token, tokenSource: `local token ${file}`, accountSid };
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
  }
  throw new UsageError(
    'no Twilio auth token: pass --auth-token, set TWILIO_AUTH_TOKEN, or run where the server keeps its ' +
      `data directory (DATA_DIR/${LOCAL_TOKEN_FILE})`,
  );
}
