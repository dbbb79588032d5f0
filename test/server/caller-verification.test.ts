// The incoming-call webhook passes STIR/SHAKEN full attestation (StirVerstat) to the stream as the
// caller_verified parameter, and nothing less: the agent tells a caller their history only then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passedAttestation } from '../../src/twilio/stir.js';
import {
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const VERIFIED = '<Parameter name="caller_verified" value="stir-a"/>';

describe('caller verification on the incoming call', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  const twimlFor = async (extra: Record<string, string>): Promise<string> => {
    const res = await postSigned(
      `${s.origin}/webhook/incoming_call`,
      incomingCallParams(newCallSid(), extra),
    );
    expect(res.status).toBe(200);
    return res.text();
  };

  it('marks the stream verified for TN-Validation-Passed-A only', async () => {
    expect(await twimlFor({ StirVerstat: 'TN-Validation-Passed-A' })).toContain(VERIFIED);
    for (const verstat of [
      'TN-Validation-Passed-B',
      'TN-Validation-Passed-C',
      'TN-Validation-Failed-A',
      'No-TN-Validation',
    ]) {
      expect(await twimlFor({ StirVerstat: verstat })).not.toContain('caller_verified');
    }
    expect(await twimlFor({})).not.toContain('caller_verified');
  });

  it('reads the attestation of a passed validation and nothing else', () => {
    expect(passedAttestation('TN-Validation-Passed-A')).toBe('A');
    expect(passedAttestation(' TN-Validation-Passed-B ')).toBe('B');
    for (const v of [
      undefined,
      '',
      'TN-Validation-Failed-A',
      'TN-Validation-Passed-A; x',
      'tn-validation-passed-a',
    ]) {
      expect(passedAttestation(v)).toBeNull();
    }
  });
});
