// Acting out the simple TwiML verbs: <Say>, <Play>, <Pause>, <Record>, <Redirect> (<Connect>,
// <Dial> and <Gather> have their own files). Time is call time (scaled by the speed factor); a
// hang-up or REST update interrupts the verb, and <Record> still posts its action on a hang-up.
import { audioDurationMs } from './audio-duration.js';
import type { Doc } from './call-http.js';
import { newSid } from './ids.js';
import { rfc2822 } from './params.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import type { Verb } from './twiml-parse.js';

type VerbOf<K extends Verb['verb']> = Extract<Verb, { verb: K }>;

const NEXT: VerbOutcome = { kind: 'next' };
const INTERRUPTED: VerbOutcome = { kind: 'interrupted' };
/** A rough speaking rate for <Say>: Twilio's voices read about 14 characters a second. */
const SAY_MS_PER_CHAR = 70;

export async function say(rt: CallRuntime, verb: VerbOf<'Say'>): Promise<VerbOutcome> {
  const loops = verb.loop === 0 ? 1000 : verb.loop;
  const durationMs = (300 + verb.text.length * SAY_MS_PER_CHAR) * loops;
  rt.event('say', { text: verb.text, language: verb.language, voice: verb.voice, durationMs });
  return (await rt.sleep(durationMs)) ? NEXT : INTERRUPTED;
}

export async function play(rt: CallRuntime, verb: VerbOf<'Play'>, doc: Doc): Promise<VerbOutcome> {
  if (!verb.url && verb.digits) {
    rt.event('play-digits', { digits: verb.digits });
    // Each tone is about a quarter second; a "w" waits half a second.
    const ms = [...verb.digits].reduce((sum, d) => sum + (d === 'w' ? 500 : 250), 0);
    return (await rt.sleep(ms)) ? NEXT : INTERRUPTED;
  }
  const url = rt.resolveUrl(verb.url, doc, '<Play>');
  if (!url) return NEXT;
  let media = rt.playCache.get(url);
  if (!media) {
    const fetched = await rt.http.fetchAudio(url);
    media = {
      ok: fetched.ok,
      durationMs: fetched.ok ? audioDurationMs(fetched.bytes, fetched.contentType) : 0,
    };
    rt.playCache.set(url, media);
    rt.event('play-fetch', {
      url,
      ok: fetched.ok,
      status: fetched.exchange.status,
      contentType: fetched.exchange.contentType,
      bytes: fetched.exchange.bytes,
      ms: fetched.exchange.ms,
      ...(fetched.ok ? {} : { code: fetched.code }),
    });
  }
  if (rt.interrupt()) return INTERRUPTED;
  // A file Twilio cannot fetch is skipped: the caller hears nothing and the next verb runs.
  if (!media.ok) return NEXT;
  const loops = verb.loop === 0 ? 1000 : verb.loop;
  rt.event('play', { url, durationMs: Math.round(media.durationMs), loops });
  return (await rt.sleep(media.durationMs * loops)) ? NEXT : INTERRUPTED;
}

export async function pause(rt: CallRuntime, verb: VerbOf<'Pause'>): Promise<VerbOutcome> {
  rt.event('pause', { lengthSec: verb.lengthSec });
  return (await rt.sleep(verb.lengthSec * 1000)) ? NEXT : INTERRUPTED;
}

export async function redirect(rt: CallRuntime, verb: VerbOf<'Redirect'>, doc: Doc): Promise<VerbOutcome> {
  const url = rt.resolveUrl(verb.url, doc, '<Redirect>');
  if (!url) return { kind: 'end', by: 'error' };
  rt.event('redirect', { url, method: verb.method });
  return rt.fetchNext('redirect', url, verb.method, {});
}

export async function record(rt: CallRuntime, verb: VerbOf<'Record'>, doc: Doc): Promise<VerbOutcome> {
  // Without an action Twilio posts to the current document's URL; REST TwiML has none (11100).
  const rawAction = verb.action ?? doc.url;
  if (!rawAction) {
    rt.violate(11100, '<Record> in TwiML from the REST API needs an absolute action URL');
    return { kind: 'end', by: 'error' };
  }
  const action = rt.resolveUrl(rawAction, doc, '<Record action>');
  if (!action) return { kind: 'end', by: 'error' };
  const statusUrl = verb.recordingStatusCallback
    ? rt.resolveUrl(verb.recordingStatusCallback, doc, '<Record recordingStatusCallback>')
    : undefined;
  const behaviour = rt.caller.record ?? {};
  const talkSec = Math.min(behaviour.durationSec ?? 2, verb.maxLengthSec);
  const ending = behaviour.end ?? 'hangup';
  const recordingSid = newSid('RE');
  const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${rt.accountSid}/Recordings/${recordingSid}`;
  const startedAt = new Date();
  const startedT = rt.now();
  rt.event('record-start', {
    action,
    maxLengthSec: verb.maxLengthSec,
    timeoutSec: verb.timeoutSec,
    playBeep: verb.playBeep,
    finishOnKey: verb.finishOnKey,
  });

  const recordingStatus = (status: string, durationSec: number) => ({
    ...rt.params('completed'),
    RecordingSid: recordingSid,
    RecordingUrl: recordingUrl,
    RecordingStatus: status,
    RecordingDuration: String(durationSec),
    RecordingChannels: '1',
    RecordingStartTime: rfc2822(startedAt),
    RecordingSource: 'RecordVerb',
    RecordingTrack: 'inbound',
  });
  if (statusUrl && verb.recordingStatusCallbackEvents.includes('in-progress')) {
    rt.background(
      rt.http.postCallback('recording-status', statusUrl, verb.recordingStatusCallbackMethod, {
        ...recordingStatus('in-progress', 0),
      }),
    );
  }

  let digits: string | undefined;
  let hungUp = false;
  const talked = await rt.sleep(talkSec * 1000);
  if (!talked) {
    if (rt.interrupt()?.kind === 'update') {
      rt.event('record-end', { reason: 'call updated' });
      return INTERRUPTED;
    }
    hungUp = true;
    digits = 'hangup';
  } else if (talkSec < verb.maxLengthSec) {
    if (ending === 'hangup') {
      rt.callerHangsUp();
      hungUp = true;
      digits = 'hangup';
    } else if (ending === 'key' && verb.finishOnKey.includes(behaviour.key ?? verb.finishOnKey[0] ?? '#')) {
      digits = behaviour.key ?? verb.finishOnKey[0];
    } else if (!(await rt.sleep(verb.timeoutSec * 1000))) {
      // Silence until Twilio's timeout; the caller may still hang up meanwhile.
      if (rt.interrupt()?.kind === 'update') return INTERRUPTED;
      hungUp = true;
      digits = 'hangup';
    }
  }
  // Twilio trims the trailing silence: a recording lasts as long as the caller talked.
  const durationSec = talked
    ? talkSec
    : Math.min(talkSec, Math.round(((rt.now() - startedT) * rt.speed) / 1000));
  rt.recordings.push({ recordingSid, recordingUrl, durationSec, ...(digits ? { digits } : {}) });
  rt.event('record-end', { recordingSid, durationSec, digits });

  const next = await rt.fetchNext(
    'action',
    action,
    verb.method,
    {
      RecordingUrl: recordingUrl,
      RecordingSid: recordingSid,
      RecordingDuration: String(durationSec),
      ...(digits ? { Digits: digits } : {}),
    },
    hungUp ? 'completed' : 'in-progress',
  );
  const events = verb.recordingStatusCallbackEvents;
  if (statusUrl) {
    const status = durationSec === 0 ? 'absent' : 'completed';
    if (events.includes(status)) {
      rt.background(
        rt.http.postCallback(
          'recording-status',
          statusUrl,
          verb.recordingStatusCallbackMethod,
          recordingStatus(status, durationSec),
        ),
      );
    }
  }
  // After a hang-up the action's TwiML is requested but never executed.
  return hungUp ? INTERRUPTED : next;
}
