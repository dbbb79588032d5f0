// The TwiML of a transfer to a person: the caller's <Dial> of one ring group (a <Number>, <Sip> or
// <Client> per agent, each with a whisper url), and the whisper run on the agent's leg before the
// bridge — who is calling and why, "press 1" — with its accept and decline answers. Pure.
import twilio from 'twilio';
import { HEBREW_VOICE } from './twiml.js';

const { VoiceResponse } = twilio.twiml;
const HEBREW = { language: 'he-IL', voice: HEBREW_VOICE } as const;

export interface DialLeg {
  /** E.164, sip:user@host or client:identity, as in the directory. */
  address: string;
  /** Absolute URL of the whisper run on this leg once it answers. */
  whisperUrl: string;
}

export interface TransferDialInput {
  /** Absolute URL of the Dial's action (its dial_status). */
  action: string;
  timeoutSec: number;
  /** The number the agents' phones show; omitted: the caller's own. */
  callerId?: string;
  legs: readonly DialLeg[];
}

/**
 * <Dial answerOnBridge> ringing every leg at once: the caller keeps hearing ringback while the
 * agents' phones ring and while the one who answered hears the whisper.
 */
export function transferDialTwiml(input: TransferDialInput): string {
  const response = new VoiceResponse();
  const dial = response.dial({
    action: input.action,
    method: 'POST',
    timeout: input.timeoutSec,
    answerOnBridge: true,
    ...(input.callerId ? { callerId: input.callerId } : {}),
  });
  for (const leg of input.legs) {
    const noun = { url: leg.whisperUrl, method: 'POST' } as const;
    if (leg.address.startsWith('sip:')) dial.sip(noun, leg.address);
    else if (leg.address.startsWith('client:')) dial.client(noun, leg.address.slice('client:'.length));
    else dial.number(noun, leg.address);
  }
  return response.toString();
}

/** How long an agent has to press a key once the whisper has been said. */
export const WHISPER_KEY_TIMEOUT_SEC = 6;

/**
 * The whisper: one key, with the action asked even on silence (actionOnEmptyResult), so a silent
 * agent is a decline the server hears about. The <Hangup> only runs if Twilio never asks it.
 */
export function whisperTwiml(input: { text: string; action: string }): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    numDigits: 1,
    action: input.action,
    method: 'POST',
    timeout: WHISPER_KEY_TIMEOUT_SEC,
    actionOnEmptyResult: true,
  });
  gather.say(HEBREW, input.text);
  response.hangup();
  return response.toString();
}

/** The agent accepted: a word to them, then the document ends without hanging up, so Twilio bridges. */
export function whisperAcceptTwiml(text: string): string {
  const response = new VoiceResponse();
  response.say(HEBREW, text);
  return response.toString();
}

/** The agent declined (or the call went to someone else): their leg hangs up, the Dial goes on. */
export function whisperDeclineTwiml(text?: string): string {
  const response = new VoiceResponse();
  if (text) response.say(HEBREW, text);
  response.hangup();
  return response.toString();
}

export const DIAL_STATUS_PATH = '/webhook/dial_status';
export const AGENT_WHISPER_PATH = '/webhook/agent_whisper';

/**
 * The transfer's absolute callback URLs on the public origin. The query carries the attempt and
 * the agent's directory id only: never a phone number (URLs are logged).
 */
export function transferUrls(origin: string) {
  const url = (path: string, query: Record<string, string>) =>
    `${origin}${path}?${new URLSearchParams(query).toString()}`;
  return {
    dialStatus: (attempt: number) => url(DIAL_STATUS_PATH, { attempt: String(attempt) }),
    whisper: (attempt: number, agentId: string) =>
      url(AGENT_WHISPER_PATH, { attempt: String(attempt), agent: agentId }),
    whisperKey: (attempt: number, agentId: string) =>
      url(AGENT_WHISPER_PATH, { attempt: String(attempt), agent: agentId, step: 'key' }),
  };
}
