// A faithful minimal AgentLocator-shaped server for the emulator tests: signed webhooks, TwiML with
// <Play> + <Connect><Stream>, a signed media WebSocket that echoes the caller's audio back as
// media + mark with the stream's streamSid, and a <Record> voicemail after the stream ends.
import type WebSocket from 'ws';
import { startMiniServer, type MiniServer, type SeenRequest, xml } from './support.js';

/** 2000 bytes that read as a 32 kbit/s MPEG-1 layer III file: half a second of "greeting". */
export const GREETING = Buffer.concat([Buffer.from([0xff, 0xfb, 0x10, 0x00]), Buffer.alloc(1996)]);

export interface GoodServer extends MiniServer {
  /** Every JSON frame each stream socket received, in order. */
  frames: Array<Array<Record<string, unknown>>>;
}

const hostOf = (r: SeenRequest) => new URL(r.signedUrl).host;
const forbidden = { status: 403, type: 'text/plain', body: 'bad signature' };
const empty = { status: 204 };

export async function startGoodServer(
  opts: { onSocket?: (ws: WebSocket) => void } = {},
): Promise<GoodServer> {
  const frames: Array<Array<Record<string, unknown>>> = [];
  const server = await startMiniServer({
    wsPaths: ['/ws/twilio-media', '/ws/twilio-media/'],
    routes: {
      '/webhook/incoming_call': (r) => {
        if (!r.signatureOk) return forbidden;
        const host = hostOf(r);
        return xml(
          `<Play>https://${host}/static/greeting.mp3</Play>` +
            `<Connect action="/webhook/stream_ended">` +
            `<Stream url="wss://${host}/ws/twilio-media" statusCallback="https://${host}/webhook/stream_status">` +
            `<Parameter name="call_sid" value="${r.params.CallSid}"/></Stream></Connect>`,
        );
      },
      '/static/greeting.mp3': () => ({ type: 'audio/mpeg', body: GREETING }),
      '/webhook/stream_ended': (r) => {
        if (!r.signatureOk) return forbidden;
        if (r.params.CallStatus !== 'in-progress') return xml('');
        return xml(
          '<Say language="he-IL">השאירו הודעה</Say>' +
            '<Record action="/webhook/handle_recording" recordingStatusCallback="/webhook/handle_recording" maxLength="30"/>',
        );
      },
      '/webhook/handle_recording': (r) => {
        if (!r.signatureOk) return forbidden;
        return r.params.RecordingStatus ? empty : xml('<Hangup/>');
      },
      '/webhook/stream_status': (r) => (r.signatureOk ? empty : forbidden),
      '/webhook/call_status': (r) => (r.signatureOk ? empty : forbidden),
    },
    onSocket: (ws) => {
      const received: Array<Record<string, unknown>> = [];
      frames.push(received);
      let streamSid = '';
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as {
          event: string;
          streamSid?: string;
          media?: { payload: string; chunk: string };
          dtmf?: { digit: string };
        };
        received.push(msg as Record<string, unknown>);
        if (msg.event === 'start') streamSid = msg.streamSid ?? '';
        if (msg.event === 'media' && msg.media) {
          ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: msg.media.payload } }));
          ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: `echo-${msg.media.chunk}` } }));
        }
        // "#" ends the conversation from the server's side: Twilio then requests the Connect action.
        if (msg.event === 'dtmf' && msg.dtmf?.digit === '#') ws.close(1000, 'done');
      });
      opts.onSocket?.(ws);
    },
  });
  return Object.assign(server, { frames });
}
