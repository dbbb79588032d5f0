// Arbitraries for Media Streams frames: Twilio's own frames with random values, then structural
// mutations (keys dropped, types changed, prototype keys) and textual ones (edits, escapes).
import fc from 'fast-check';
import { encodeInboundMark, encodeInboundMedia, encodeStart } from '../../src/twilio/stream-messages.js';
import { PROTOTYPE_KEYS, anyText, hugeText } from './fc-setup.js';

// ---- frames as Twilio writes them, with random values ------------------------------------------

export const hex32 = fc.string({
  unit: fc.constantFrom(...'0123456789abcdef'),
  minLength: 32,
  maxLength: 32,
});
const sid = (prefix: string) => hex32.map((h) => prefix + h);
const numeric = fc.nat().map(String);
const sometimes = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: anyText });
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('base64')),
  anyText,
  hugeText.map((s) => Buffer.from(s).toString('base64')),
);

const mediaText = fc
  .record({
    seq: sometimes(numeric),
    chunk: sometimes(numeric),
    ts: sometimes(numeric),
    payload,
    streamSid: sometimes(sid('MZ')),
  })
  .map(({ seq, chunk, ts, payload, streamSid }) =>
    // The emulator's encoder writes numbers unquoted-safe; strings with quotes are JSON-escaped here.
    encodeInboundMedia({ sequenceNumber: 1, streamSid, chunk: 1, timestampMs: 1, payload })
      .replace('"sequenceNumber":"1"', `"sequenceNumber":${JSON.stringify(seq)}`)
      .replace('"chunk":"1"', `"chunk":${JSON.stringify(chunk)}`)
      .replace('"timestamp":"1"', `"timestamp":${JSON.stringify(ts)}`),
  );
const markText = fc
  .record({ seq: fc.nat(), streamSid: sometimes(sid('MZ')), name: fc.oneof(anyText, hugeText) })
  .map(({ seq, streamSid, name }) => encodeInboundMark({ sequenceNumber: seq, streamSid, name }));
const startText = fc
  .record({
    streamSid: sometimes(sid('MZ')),
    callSid: sometimes(sid('CA')),
    accountSid: sometimes(sid('AC')),
    params: fc.dictionary(fc.oneof(anyText, fc.constantFrom(...PROTOTYPE_KEYS)), anyText, { maxKeys: 5 }),
  })
  .map(({ streamSid, callSid, accountSid, params }) =>
    encodeStart({ sequenceNumber: 1, accountSid, streamSid, callSid, customParameters: params }),
  );
const otherText = fc.oneof(
  fc.constant('{"event":"connected","protocol":"Call","version":"1.0.0"}'),
  sid('MZ').map(
    (s) =>
      `{"event":"stop","sequenceNumber":"9","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"${s}"}`,
  ),
  fc.tuple(sid('MZ'), sometimes(fc.constantFrom(...'0123456789*#ABCDw'))).map(([s, d]) =>
    JSON.stringify({
      event: 'dtmf',
      streamSid: s,
      sequenceNumber: '3',
      dtmf: { track: 'inbound_track', digit: d },
    }),
  ),
);
export const twilioText = fc.oneof(mediaText, markText, startText, otherText);

// ---- mutations ---------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside a JSON value. */
function paths(value: Json, at: string[] = []): string[][] {
  if (!value || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_v, i) => String(i)) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string, Json>)[k]!, [...at, k]))];
}

/** A copy of `value` with `edit` applied to the object or array holding the last key of `path`. */
function editAt(
  value: Json,
  path: string[],
  edit: (holder: Record<string, Json>, key: string) => void,
): Json {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  if (path.length === 0) return copy;
  let holder = copy as Record<string, Json>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string, Json>;
  edit(holder, path.at(-1)!);
  return copy;
}

export const structural = fc
  .tuple(
    twilioText,
    fc.nat(),
    fc.nat(3),
    fc.jsonValue() as fc.Arbitrary<Json>,
    fc.constantFrom(...PROTOTYPE_KEYS),
  )
  .map(([text, pick, kind, replacement, protoKey]) => {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch {
      return text; // a random payload can make Twilio's shape invalid JSON already
    }
    const all = paths(value).filter((p) => p.length > 0);
    const path = all[pick % all.length] ?? [];
    const edited = editAt(value, path, (holder, key) => {
      if (kind === 0) delete holder[key];
      else if (kind === 1) holder[key] = replacement;
      else if (kind === 2)
        // A string becomes a number, anything else its JSON text.
        holder[key] =
          typeof holder[key] === 'string' ? Number(holder[key]) || 0 : JSON.stringify(holder[key]);
      else Object.defineProperty(holder, protoKey, { value: replacement, enumerable: true });
    });
    return JSON.stringify(edited);
  });

export const textual = fc.tuple(twilioText, fc.nat(), fc.nat(5), anyText).map(([text, at, kind, insert]) => {
  const i = at % (text.length + 1);
  switch (kind) {
    case 0:
      return text.slice(0, i) + insert + text.slice(i);
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    case 2:
      // One character written as a \u escape: the same JSON, another text.
      return (
        text.slice(0, i) +
        `\\u${(text.charCodeAt(i) || 32).toString(16).padStart(4, '0')}` +
        text.slice(i + 1)
      );
    case 3:
      return ` ${text.replace(/,/g, ' , ')} `;
    case 4:
      return text.replace(/}$/, `,"streamSid":${JSON.stringify(insert)}}`);
    default:
      return text.slice(0, i);
  }
});
