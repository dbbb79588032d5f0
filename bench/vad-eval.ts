// VAD quality bench: Hebrew TTS sentences separated by pauses, mixed with line noise at several
// SNRs, sent through μ-law as Twilio would deliver them, and scored against ground-truth labels.
// Run: npx tsx bench/vad-eval.ts [--start-ms 200] [--stop-ms 600] [--threshold 8]

import { parseArgs } from 'node:util';
import { mulawEncode } from '../src/audio/mulaw.js';
import { resample } from '../src/audio/resample.js';
import { closeTts, synthesize } from '../src/audio/tts.js';
import { Vad, type VadEvent } from '../src/audio/vad.js';
import {
  NOISE_KINDS,
  activeSpeechPower,
  labelFrames,
  mixAtSnr,
  noise,
  percentile,
  prng,
  segments,
} from './vad-signals.js';

const RATE = 8000;
const FRAME_MS = 20;
const FRAME = (RATE * FRAME_MS) / 1000;
const SNRS = [20, 10, 5, 0];
const NOISE_ONLY_SECONDS = 120;

const SENTENCES = [
  'שלום, אני מתקשר לגבי הדירה שפרסמתם באתר.',
  'כן.',
  'אפשר לדבר עם נציג בבקשה?',
  'קוראים לי דני כהן, והמספר שלי הוא אפס חמש שתיים, שלוש ארבע חמש.',
  'לא.',
  'אני מחפש דירת שלושה חדרים בתל אביב, עם חניה.',
  'מתי אפשר לבוא לראות את הנכס?',
  'תודה רבה, להתראות.',
];

const { values: args } = parseArgs({
  options: {
    'start-ms': { type: 'string', default: '200' },
    'stop-ms': { type: 'string', default: '600' },
    threshold: { type: 'string' },
  },
});
const vadOptions = {
  startMs: Number(args['start-ms']),
  stopMs: Number(args['stop-ms']),
  ...(args.threshold ? { thresholdDb: Number(args.threshold) } : {}),
};

/** Clean speech with pauses: 1.5 s lead-in, then every sentence twice, 0.8–2.5 s apart. */
async function buildProgramme(): Promise<Float64Array> {
  const clips: Int16Array[] = [];
  for (const text of SENTENCES) {
    const { sampleRate, pcm } = await synthesize(text, { voice: 'he' });
    clips.push(resample(pcm, sampleRate, RATE));
  }
  const random = prng(7);
  const pieces: Array<Int16Array | number> = [Math.round(1.5 * RATE)];
  for (let round = 0; round < 2; round++) {
    for (const clip of clips) {
      pieces.push(clip, Math.round((0.8 + 1.7 * random()) * RATE));
    }
  }
  const total = pieces.reduce<number>((n, p) => n + (typeof p === 'number' ? p : p.length), 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const p of pieces) {
    if (typeof p === 'number') {
      at += p;
    } else {
      for (let i = 0; i < p.length; i++) out[at + i] = p[i]!;
      at += p.length;
    }
  }
  return out;
}

function runVad(pcm: Int16Array): { events: VadEvent[]; perFrameUs: number } {
  const events: VadEvent[] = [];
  const vad = new Vad({ ...vadOptions, onEvent: (e) => events.push(e) });
  const codes = mulawEncode(pcm);
  const t0 = performance.now();
  for (let at = 0; at + FRAME <= codes.length; at += FRAME) vad.pushMulaw(codes.subarray(at, at + FRAME));
  vad.end();
  const perFrameUs = ((performance.now() - t0) * 1000) / Math.floor(codes.length / FRAME);
  return { events, perFrameUs };
}

/** Frames the detector held as speech: from each onset to the matching end. */
function detectedFrames(events: VadEvent[], frames: number): Uint8Array {
  const out = new Uint8Array(frames);
  for (const e of events) {
    if (e.type !== 'speech-end') continue;
    out.fill(1, Math.floor(e.onsetMs / FRAME_MS), Math.min(frames, Math.ceil(e.endMs / FRAME_MS)));
  }
  return out;
}

interface Score {
  accuracy: number;
  recall: number;
  falseAlarm: number;
  latencies: number[];
  missed: number;
  utterances: number;
}

function score(labels: Uint8Array, events: VadEvent[]): Score {
  const detected = detectedFrames(events, labels.length);
  let agree = 0;
  let speech = 0;
  let hit = 0;
  let falseAlarm = 0;
  for (let f = 0; f < labels.length; f++) {
    if (labels[f] === detected[f]) agree++;
    if (labels[f]) {
      speech++;
      if (detected[f]) hit++;
    } else if (detected[f]) {
      falseAlarm++;
    }
  }
  const starts = events.filter((e) => e.type === 'speech-start');
  const latencies: number[] = [];
  let missed = 0;
  const utterances = segments(labels);
  for (const [s, e] of utterances) {
    const onsetMs = s * FRAME_MS;
    // The first confirmation of speech that began inside this utterance (or just before it).
    const start = starts.find((x) => x.onsetMs >= onsetMs - 100 && x.onsetMs < e * FRAME_MS);
    if (start) latencies.push(start.atMs - onsetMs);
    else missed++;
  }
  latencies.sort((a, b) => a - b);
  return {
    accuracy: agree / labels.length,
    recall: hit / speech,
    falseAlarm: falseAlarm / (labels.length - speech),
    latencies,
    missed,
    utterances: utterances.length,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(7);
const ms = (x: number): string => (Number.isNaN(x) ? '–' : `${Math.round(x)}`).padStart(6);

async function main(): Promise<void> {
  const clean = await buildProgramme();
  await closeTts();
  const labels = labelFrames(clean, FRAME, FRAME_MS, vadOptions.stopMs);
  const speechPower = activeSpeechPower(clean, labels, FRAME);
  const seconds = clean.length / RATE;
  console.log(
    `VAD bench: ${SENTENCES.length * 2} utterances, ${seconds.toFixed(0)} s per condition, ` +
      `${segments(labels).length} labelled turns, ${pct(labels.reduce((n, v) => n + v, 0) / labels.length).trim()} speech frames; ` +
      `options ${JSON.stringify(vadOptions)}`,
  );
  console.log(
    'noise      SNR  frame-acc  recall  false-alarm  onset-ms median  p90  missed  false-triggers/min',
  );
  let frameCost = 0;
  let runs = 0;
  for (const kind of NOISE_KINDS) {
    const unit = noise(kind, clean.length, RATE, 11);
    const onlyUnit = noise(kind, NOISE_ONLY_SECONDS * RATE, RATE, 23);
    const silence = new Float64Array(onlyUnit.length);
    for (const snr of SNRS) {
      const mixed = mixAtSnr(clean, unit, speechPower, snr);
      const run = runVad(mixed);
      const s = score(labels, run.events);
      // The same noise at the same level with nobody speaking.
      const noiseOnly = runVad(mixAtSnr(silence, onlyUnit, speechPower, snr));
      const triggers = noiseOnly.events.filter((e) => e.type === 'speech-start').length;
      frameCost += run.perFrameUs + noiseOnly.perFrameUs;
      runs += 2;
      console.log(
        `${kind.padEnd(9)} ${String(snr).padStart(4)}  ${pct(s.accuracy)}  ${pct(s.recall)}  ${pct(s.falseAlarm)}     ` +
          `${ms(percentile(s.latencies, 50))} ${ms(percentile(s.latencies, 90))}  ${String(s.missed).padStart(2)}/${s.utterances}` +
          `  ${((triggers * 60) / NOISE_ONLY_SECONDS).toFixed(1).padStart(8)}`,
      );
    }
  }
  console.log(`cost: ${(frameCost / runs).toFixed(2)} µs per 20 ms frame (μ-law in, this machine)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
