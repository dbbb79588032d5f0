// The TwiML documents the server returns, built with the official twilio package's builder.
import twilio from 'twilio';

const { VoiceResponse } = twilio.twiml;

export const STREAM_PATH = '/ws/twilio-media';
export const HEBREW_VOICE = 'Google.he-IL-Standard-A';

export interface IncomingCallTwimlInput {
  /** Public host[:port] — never a scheme, never a stale domain. */
  host: string;
  /** The scheme Twilio reached us with (https in production); used for the HTTP URLs. */
  scheme: 'http' | 'https';
  callSid: string;
  token: string;
  /** Play the pre-rendered greeting MP3; otherwise speak the text. */
  greeting: { kind: 'mp3'; path: string } | { kind: 'say'; text: string };
  /** More <Parameter>s for the stream's `start` (facts about the call the agent needs). */
  parameters?: Readonly<Record<string, string>>;
}

/**
 * <Play greeting> then <Connect action=/webhook/stream_ended><Stream wss://HOST/ws/twilio-media>.
 * The Stream URL has no query string (Twilio forbids one); per-call data goes in <Parameter>s.
 */
export function incomingCallTwiml(input: IncomingCallTwimlInput): string {
  const response = new VoiceResponse();
  if (input.greeting.kind === 'mp3') {
    response.play(`${input.scheme}://${input.host}${input.greeting.path}`);
  } else {
    response.say({ language: 'he-IL', voice: HEBREW_VOICE }, input.greeting.text);
  }
  connectStream(response, { ...input, action: '/webhook/stream_ended' });
  return response.toString();
}

type StreamTarget = Pick<IncomingCallTwimlInput, 'host' | 'scheme' | 'callSid' | 'token' | 'parameters'>;

function connectStream(
  response: InstanceType<typeof VoiceResponse>,
  input: StreamTarget & { action: string },
) {
  const connect = response.connect({ action: input.action, method: 'POST' });
  const stream = connect.stream({
    url: `wss://${input.host}${STREAM_PATH}`,
    statusCallback: `${input.scheme}://${input.host}/webhook/stream_status`,
    statusCallbackMethod: 'POST',
  });
  stream.parameter({ name: 'call_sid', value: input.callSid });
  stream.parameter({ name: 'token', value: input.token });
  for (const [name, value] of Object.entries(input.parameters ?? {})) stream.parameter({ name, value });
}

/**
 * A drained call's new stream, sent with the REST API: no greeting (the caller is mid-call), the
 * same <Connect><Stream> to the public host so a healthy instance takes it, absolute URLs.
 */
export function handoverTwiml(input: StreamTarget): string {
  const response = new VoiceResponse();
  connectStream(response, { ...input, action: `${input.scheme}://${input.host}/webhook/stream_ended` });
  return response.toString();
}

/**
 * The voicemail: a short prompt (none when the caller already heard why), then <Record>. With an
 * origin the URLs are absolute (TwiML sent through the REST API has no URL to resolve against).
 */
export function voicemailTwiml(input: {
  prompt: string | null;
  maxLengthSec: number;
  origin?: string;
}): string {
  const response = new VoiceResponse();
  if (input.prompt) response.say({ language: 'he-IL', voice: HEBREW_VOICE }, input.prompt);
  const callback = `${input.origin ?? ''}/webhook/handle_recording`;
  response.record({
    action: callback,
    method: 'POST',
    recordingStatusCallback: callback,
    recordingStatusCallbackMethod: 'POST',
    maxLength: input.maxLengthSec,
    playBeep: true,
    timeout: 5,
    trim: 'trim-silence',
  });
  return response.toString();
}

/** A last sentence, then hang up (after the voicemail, after a transfer the human ended). */
export function hangupTwiml(text: string): string {
  const response = new VoiceResponse();
  response.say({ language: 'he-IL', voice: HEBREW_VOICE }, text);
  response.hangup();
  return response.toString();
}

export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
