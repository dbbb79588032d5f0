// The Twilio emulator's public surface; the option and result types are in types.ts.
export { TwilioEmulator, type StreamProbe } from './emulator.js';
export { EmulatedCall, type CallEnv } from './call.js';
export {
  startFakeTwilioRest,
  type FakeTwilioRest,
  type FakeRestOptions,
  type RestRequestRecord,
  type RestFault,
} from './rest-server.js';
export { TWILIO_CODES, titleOf, severityOf, type TwilioCode, type Severity } from './codes.js';
export { planDial, type NetworkMap, type DialPlan } from './network.js';
export {
  parseTwiml,
  type Verb,
  type StreamNoun,
  type ParsedTwiml,
  type DialTarget,
  type GatherPrompt,
} from './twiml-parse.js';
export { AGENT_BEHAVIOURS } from './agent-phones.js';
export { checkStreamUrl } from './stream-connector.js';
export {
  wavToMulaw8k,
  loadCallerAudio,
  LiveAudioQueue,
  LIVE_FRAME_BYTES,
  type CallerAudio,
  type LiveCaller,
} from './media-source.js';
export { newSid, isSid } from './ids.js';
export type * from './types.js';
