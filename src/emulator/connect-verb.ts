// <Connect><Stream>: open the bidirectional stream, run it until the server closes it, the caller
// hangs up or the REST API intervenes, post the Stream statusCallback events, then request the
// <Connect action> (not after a REST update, which replaces the TwiML outright).
import type { Doc } from './call-http.js';
import { titleOf, type TwilioCode } from './codes.js';
import { newSid } from './ids.js';
import { loadCallerAudio } from './media-source.js';
import { MediaStream, newStreamCounters } from './media-stream.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import { checkStreamUrl, connectStream } from './stream-connector.js';
import type { StreamNoun, Verb } from './twiml-parse.js';
import type { StreamReport } from './types.js';

type ConnectVerb = Extract<Verb, { verb: 'Connect' }>;

function emptyReport(streamSid: string, url: string, params: Record<string, string>): StreamReport {
  return {
    streamSid,
    url,
    customParameters: params,
    downgraded: false,
    ...newStreamCounters(),
    played: Buffer.alloc(0),
  };
}

/** Posts the <Stream statusCallback> (stream-started / stream-stopped / stream-error). */
function streamStatus(
  rt: CallRuntime,
  noun: StreamNoun,
  statusUrl: string | undefined,
  streamSid: string,
  event: 'stream-started' | 'stream-stopped' | 'stream-error',
  error?: { code: TwilioCode; message: string },
): void {
  rt.event('stream-status', { event, streamSid, ...(error ? { code: error.code } : {}) });
  if (!statusUrl) return;
  const params: Record<string, string> = {
    AccountSid: rt.accountSid,
    CallSid: rt.callSid,
    StreamSid: streamSid,
    StreamName: noun.name ?? streamSid,
    StreamEvent: event,
    Timestamp: new Date().toISOString(),
  };
  if (error) params.StreamError = `${titleOf(error.code)} (${error.code}): ${error.message}`;
  rt.background(rt.http.postCallback('stream-status', statusUrl, noun.statusCallbackMethod, params));
}

/** Speaks the caller's scripted audio, then hangs up if the script says so. */
async function speakScript(rt: CallRuntime, stream: MediaStream): Promise<void> {
  const { audio, hangUpAfterAudioMs } = rt.caller;
  if (!audio) return;
  let bytes: Uint8Array;
  try {
    bytes = await loadCallerAudio(audio);
  } catch (err) {
    rt.event('caller-audio-error', { message: (err as Error).message });
    return;
  }
  await stream.sendAudio(bytes);
  rt.event('caller-audio-sent', { bytes: bytes.length });
  if (hangUpAfterAudioMs !== undefined && stream.isOpen) {
    if (await rt.sleep(hangUpAfterAudioMs)) rt.callerHangsUp();
  }
}

export async function connect(rt: CallRuntime, verb: ConnectVerb, doc: Doc): Promise<VerbOutcome> {
  const noun = verb.stream;
  if (!noun) {
    rt.event('unsupported-verb', { name: `Connect/${verb.nouns.join(',') || '(empty)'}` });
    return { kind: 'next' };
  }
  const streamSid = newSid('MZ');
  const statusUrl = noun.statusCallback
    ? rt.resolveUrl(noun.statusCallback, doc, '<Stream statusCallback>')
    : undefined;
  const checked = checkStreamUrl(noun.url, doc.url);
  const report = emptyReport(streamSid, checked.ok ? checked.url.href : noun.url, noun.parameters);
  rt.streams.push(report);

  const streamFailed = (
    code: TwilioCode,
    message: string,
    extra: { status?: number; location?: string } = {},
  ) => {
    report.failure = { code, message, ...extra };
    rt.violate(code, message, streamSid);
    streamStatus(rt, noun, statusUrl, streamSid, 'stream-error', { code, message });
  };

  let hungUp = false;
  if (!checked.ok) {
    streamFailed(checked.code, checked.reason);
  } else {
    rt.event('stream-connecting', { url: checked.url.href, streamSid });
    const opened = await connectStream({
      url: checked.url,
      authToken: rt.authToken,
      map: rt.map,
      ca: rt.ca,
      timeoutMs: rt.streamConnectTimeoutMs,
    });
    report.dialled = opened.dialled;
    report.handshakeMs = opened.ms;
    if (!opened.ok) {
      rt.event('ws-failed', { code: opened.code, status: opened.status, location: opened.location });
      streamFailed(opened.code, opened.reason, {
        ...(opened.status !== undefined ? { status: opened.status } : {}),
        ...(opened.location ? { location: opened.location } : {}),
      });
    } else {
      report.downgraded = opened.downgraded;
      rt.event('ws-open', { dialled: opened.dialled, ms: opened.ms, downgraded: opened.downgraded });
      const stream = new MediaStream({
        ws: opened.ws,
        accountSid: rt.accountSid,
        callSid: rt.callSid,
        streamSid,
        customParameters: noun.parameters,
        speed: rt.speed,
        silence: rt.caller.silence ?? true,
        ...(rt.caller.live ? { live: rt.caller.live } : {}),
        clock: () => rt.now(),
        hooks: {
          event: (kind, detail) => rt.event(kind, { streamSid, ...detail }),
          violate: (code, message) => rt.violate(code, message, streamSid),
        },
      });
      rt.setLiveStream({ stream, report });
      if (rt.interrupt()) {
        // Hung up or updated while the socket was opening: Twilio never starts the stream.
        await stream.stop();
      } else {
        stream.begin();
        streamStatus(rt, noun, statusUrl, streamSid, 'stream-started');
        rt.background(speakScript(rt, stream));
        const interrupted = new Promise<'interrupted'>((resolve) => {
          if (rt.signal.aborted) resolve('interrupted');
          else rt.signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
        });
        const first = await Promise.race([stream.ended, interrupted]);
        const end = first === 'interrupted' ? await stream.stop() : first;
        const intr = rt.interrupt();
        report.closeCode = end.closeCode;
        report.endedBy =
          end.by !== 'emulator'
            ? end.by
            : intr?.kind === 'update'
              ? 'api-update'
              : intr?.by === 'api'
                ? 'api-hangup'
                : intr?.by === 'time-limit'
                  ? 'time-limit'
                  : intr?.by === 'emulator'
                    ? 'emulator'
                    : 'caller';
        if (end.by === 'network') {
          streamStatus(rt, noun, statusUrl, streamSid, 'stream-error', {
            code: 31903,
            message: 'the connection broke',
          });
        } else {
          streamStatus(rt, noun, statusUrl, streamSid, 'stream-stopped');
        }
      }
      Object.assign(report, {
        ...stream.counters,
        marksEchoed: [...stream.counters.marksEchoed],
        played: stream.played(),
      });
      rt.setLiveStream(undefined);
    }
  }

  const intr = rt.interrupt();
  // A REST update replaces the TwiML: the <Connect action> is not requested.
  if (intr?.kind === 'update') return { kind: 'interrupted' };
  hungUp = intr?.kind === 'hangup';
  if (!verb.action) return hungUp ? { kind: 'interrupted' } : { kind: 'next' };
  const action = rt.resolveUrl(verb.action, doc, '<Connect action>');
  if (!action) return { kind: 'end', by: 'error' };
  const next = await rt.fetchNext('action', action, verb.method, {}, hungUp ? 'completed' : 'in-progress');
  return hungUp ? { kind: 'interrupted' } : next;
}
