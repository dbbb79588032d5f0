// The test call's WebSocket protocol, shared by the server and the dashboard (web/ imports this
// file): binary messages are 20 ms μ-law frames both ways, text messages are these JSON shapes.

export const TEST_CALL_PATH = '/api/v1/test-call';
/** μ-law 8 kHz, 20 ms: one browser frame, and one Twilio media frame. */
export const TEST_CALL_FRAME_BYTES = 160;
export const TEST_CALL_SAMPLE_RATE = 8000;
/** A text message longer than this is refused (the longest valid one is ~30 bytes). */
export const TEST_CALL_MAX_TEXT_BYTES = 256;
export const TEST_CALL_DIGITS = '0123456789*#';
/** The emulated caller's From: a Twilio Client identity, so the CRM shows what placed the call. */
export const TEST_CALL_FROM = 'client:test-call';

/** Server → browser (text). Agent audio arrives as binary μ-law between them. */
export type TestCallServerMessage =
  | { type: 'ringing'; callSid: string }
  /** The greeting plays; `audio` is the same-origin path of the file Twilio plays, when it is one. */
  | { type: 'greeting'; audio?: string }
  | { type: 'connected'; callSid: string }
  /** The agent barged in: audio received and not yet played should be dropped. */
  | { type: 'clear' }
  | { type: 'ended'; reason: string };

/** Browser → server (text). */
export type TestCallClientMessage = { type: 'dtmf'; digit: string } | { type: 'hangup' };

/** WebSocket close codes the server ends a test call with (RFC 6455 §7.4.1). */
export const TEST_CALL_CLOSE = {
  /** The call ended (either side hung up, the agent or the time limit ended it). */
  NORMAL: 1000,
  /** The server is stopping. */
  GOING_AWAY: 1001,
  /** A message of a type this protocol does not have. */
  UNSUPPORTED: 1003,
  /** Malformed: a frame of the wrong size, text that is not one of the messages. */
  BAD_PAYLOAD: 1007,
  /** Too many frames, or another test call is live for this session. */
  POLICY: 1008,
  TOO_BIG: 1009,
  /** The emulated call could not be placed or failed inside the server. */
  INTERNAL: 1011,
} as const;

export type ParsedClientMessage =
  { ok: true; message: TestCallClientMessage } | { ok: false; close: number; reason: string };

/** Reads one text message from the browser; anything else is refused with the close code to use. */
export function parseClientMessage(text: string): ParsedClientMessage {
  if (text.length > TEST_CALL_MAX_TEXT_BYTES) {
    return { ok: false, close: TEST_CALL_CLOSE.TOO_BIG, reason: 'text message too long' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, close: TEST_CALL_CLOSE.BAD_PAYLOAD, reason: 'text message is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, close: TEST_CALL_CLOSE.BAD_PAYLOAD, reason: 'text message is not a JSON object' };
  }
  const { type, digit } = value as { type?: unknown; digit?: unknown };
  if (type === 'hangup') return { ok: true, message: { type: 'hangup' } };
  if (type === 'dtmf') {
    if (typeof digit !== 'string' || digit.length !== 1 || !TEST_CALL_DIGITS.includes(digit)) {
      return { ok: false, close: TEST_CALL_CLOSE.BAD_PAYLOAD, reason: 'dtmf digit must be one of 0-9 * #' };
    }
    return { ok: true, message: { type: 'dtmf', digit } };
  }
  return { ok: false, close: TEST_CALL_CLOSE.UNSUPPORTED, reason: 'unknown message type' };
}
