// A reader for the small JSON objects that arrive fifty times a second per call (Twilio media
// frames, Realtime audio deltas): it fills a fixed array of slots instead of building objects, and
// interns nothing. It reads a subset of JSON — objects whose values are strings without escapes,
// numbers, true/false/null and (where the shape says so) nested objects — and answers "no" to
// anything else, so the caller falls back to JSON.parse: it never accepts what JSON.parse would not,
// nor reads a value differently. Pure: no I/O, imports nothing.

export type FieldKind = 'string' | 'base64' | 'int';
/** Field name → kind, or a nested object's spec. */
export interface ShapeSpec {
  [field: string]: FieldKind | ShapeSpec;
}

interface Field {
  name: string;
  slot: number;
  kind: FieldKind | Shape;
}

/** The fields one message kind is read into, each with its slot; unknown fields are skipped. */
export class Shape {
  /** A handful per shape: a key is found by length, then compared in place. */
  readonly fields: Field[] = [];
  /** Slots used by this shape and the shapes nested in it. */
  readonly size: number;

  constructor(spec: ShapeSpec, firstSlot = 0) {
    let slot = firstSlot;
    for (const [name, kind] of Object.entries(spec)) {
      if (typeof kind === 'string') {
        this.fields.push({ name, slot, kind });
        slot += 1;
      } else {
        const nested = new Shape(kind, slot);
        this.fields.push({ name, slot, kind: nested });
        slot += nested.size;
      }
    }
    this.size = slot - firstSlot;
  }

  /** An empty slot array for readCompact. */
  slots(): (string | number | undefined)[] {
    return new Array<string | number | undefined>(this.size).fill(undefined);
  }

  /** The slot of a field, by its path (`media.payload`). */
  slot(path: string): number {
    const [name, ...rest] = path.split('.');
    const field = this.fields.find((f) => f.name === name);
    if (!field) throw new Error(`no field ${path}`);
    if (rest.length === 0) {
      if (field.kind instanceof Shape) throw new Error(`${path} is an object`);
      return field.slot;
    }
    if (!(field.kind instanceof Shape)) throw new Error(`${name} is not an object`);
    return field.kind.slot(rest.join('.'));
  }
}

/**
 * Reads `text` (one whole JSON object) into `out`: out[slot] is the field's string or integer, or
 * undefined when absent. False when the text is outside the subset, a known field has another
 * type, a key repeats, or anything follows the object.
 */
export function readCompact(text: string, shape: Shape, out: (string | number | undefined)[]): boolean {
  out.fill(undefined);
  const end = readObject(text, skipSpace(text, 0), shape, out);
  return end > 0 && skipSpace(text, end) === text.length;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN = 123;
const CLOSE = 125;

/** Base64 alphabet (not base64url): 1 = letter or digit, 2 = '=' (padding). */
const BASE64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  BASE64[c.charCodeAt(0)] = 1;
}
BASE64['='.charCodeAt(0)] = 2;

/** Index after the object starting at `at`, or -1. */
function readObject(s: string, at: number, shape: Shape, out: (string | number | undefined)[]): number {
  if (s.charCodeAt(at) !== OPEN) return -1;
  let i = skipSpace(s, at + 1);
  if (s.charCodeAt(i) === CLOSE) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = plainStringEnd(s, i);
    if (keyEnd < 0) return -1;
    const field = findField(shape.fields, s, i + 1, keyEnd - 1 - (i + 1));
    i = skipSpace(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) return -1;
    i = skipSpace(s, i + 1);
    if (field === undefined) i = skipScalar(s, i);
    else if (field.kind instanceof Shape) {
      if (nestedSeen(out, field.kind)) return -1; // a repeated key: JSON.parse keeps the last
      i = readObject(s, i, field.kind, out);
    } else {
      if (out[field.slot] !== undefined) return -1; // a repeated key: JSON.parse keeps the last
      i = readField(s, i, field, out);
    }
    if (i < 0) return -1;
    i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === CLOSE) return i + 1;
    if (c !== COMMA) return -1;
    i = skipSpace(s, i + 1);
  }
}

/** The field whose name is s[at, at + length), compared in place (no key string, no hashing). */
function findField(fields: Field[], s: string, at: number, length: number): Field | undefined {
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    if (f.name.length === length && s.startsWith(f.name, at)) return f;
  }
  return undefined;
}

function nestedSeen(out: (string | number | undefined)[], shape: Shape): boolean {
  for (const f of shape.fields) {
    if (f.kind instanceof Shape ? nestedSeen(out, f.kind) : out[f.slot] !== undefined) return true;
  }
  return false;
}

function readField(s: string, at: number, field: Field, out: (string | number | undefined)[]): number {
  if (field.kind === 'int') {
    const end = numberEnd(s, at);
    if (end < 0) return -1;
    const value = Number(s.slice(at, end));
    if (!Number.isSafeInteger(value)) return -1;
    out[field.slot] = value;
    return end;
  }
  if (s.charCodeAt(at) !== QUOTE) return -1;
  const end = field.kind === 'base64' ? base64End(s, at) : plainStringEnd(s, at);
  if (end < 0) return -1;
  out[field.slot] = s.slice(at + 1, end - 1);
  return end;
}

/** After a string with no escapes and no control characters, or -1. */
function plainStringEnd(s: string, at: number): number {
  const close = s.indexOf('"', at + 1);
  if (close < 0) return -1;
  for (let i = at + 1; i < close; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === BACKSLASH) return -1;
  }
  return close + 1;
}

/** After a string of whole base64 groups (padding only at the end), or -1. */
function base64End(s: string, at: number): number {
  const close = s.indexOf('"', at + 1);
  if (close < 0 || (close - at - 1) % 4 !== 0) return -1;
  let i = at + 1;
  while (i < close && BASE64[s.charCodeAt(i)] === 1) i++;
  // Up to two '=' and then the closing quote.
  if (i < close && s.charCodeAt(i) === 61) i++;
  if (i < close && s.charCodeAt(i) === 61 && close - i === 1) i++;
  return i === close ? close + 1 : -1;
}

/** After a string, number, true, false or null; -1 for anything else (objects, arrays). */
function skipScalar(s: string, at: number): number {
  const c = s.charCodeAt(at);
  if (c === QUOTE) return plainStringEnd(s, at);
  if (s.startsWith('true', at)) return at + 4;
  if (s.startsWith('null', at)) return at + 4;
  if (s.startsWith('false', at)) return at + 5;
  return numberEnd(s, at);
}

/** After a JSON number (RFC 8259 §6), or -1. */
function numberEnd(s: string, at: number): number {
  let i = at;
  if (s.charCodeAt(i) === 45) i++; // -
  const first = s.charCodeAt(i);
  if (first === 48) i++; // a lone 0
  else if (first >= 49 && first <= 57) i = digitsEnd(s, i);
  else return -1;
  if (s.charCodeAt(i) === 46) {
    const after = digitsEnd(s, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const after = digitsEnd(s, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digitsEnd(s: string, at: number): number {
  let i = at;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i));
  return i;
}

function skipSpace(s: string, at: number): number {
  let i = at;
  for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  return i;
}
