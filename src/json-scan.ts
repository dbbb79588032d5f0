// Reading the messages that arrive fifty times a second per call (Twilio's inbound media,
// OpenAI's audio deltas) and Twilio's mark echoes without JSON.parse, when their text has the
// exact shape their senders write. JSON.parse builds every field, and V8 internalizes each short
// string value through the process-wide string table (five per Twilio media frame), a cache miss
// or two each when hundreds of calls share the core (measured: bench/README.md).
//
// A scan returns exactly what JSON.parse would give for that text, or undefined; the caller then
// parses as before. Whitespace, escapes, another field order or any surprise costs speed, never
// correctness. Shared by the Twilio edge and the Realtime client; imports nothing.

const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Where a JSON string whose content starts at `from` ends (the index of its closing quote), when
 * its content needs no decoding: no escapes and no control characters (JSON forbids them raw).
 * -1 otherwise, or when it does not end. Meant for short strings (ids, numbers as text); long
 * ones are checked by their own alphabet (see isBase64).
 */
export function plainStringEnd(text: string, from: number): number {
  const end = text.indexOf('"', from);
  if (end < 0) return -1;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === BACKSLASH) return -1;
  }
  return end;
}

/**
 * plainStringEnd, when `next` comes right after the string (from its closing quote on, e.g.
 * '","chunk":"'); -1 otherwise. One step of reading a message of a known shape.
 */
export function plainStringBefore(text: string, from: number, next: string): number {
  const end = plainStringEnd(text, from);
  return end >= 0 && text.startsWith(next, end) ? end : -1;
}

/** Where a run of ASCII digits starting at `from` ends (`from` itself when there is none). */
export function digitsEnd(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c >= ZERO && c <= NINE; c = text.charCodeAt(++i));
  return i;
}

/**
 * Where the digits of a non-negative JSON integer that starts at `from` end: no sign, no leading
 * zero, ≤ 15 digits (exact as a double); -1 otherwise. The caller checks what must follow (a
 * comma, say), which also rules out a fraction or an exponent.
 */
export function smallIntegerEnd(text: string, from: number): number {
  if (text.charCodeAt(from) === ZERO) return from + 1;
  const end = digitsEnd(text, from);
  return end === from || end - from > 15 ? -1 : end;
}

/** `text` ends at `at` with the object's closing brace. */
export function endsWithBrace(text: string, at: number): boolean {
  return at === text.length - 1 && text.charCodeAt(at) === 0x7d;
}
