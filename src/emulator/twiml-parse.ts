// TwiML → typed verbs, as Twilio reads a voice document: <Response> root, case-sensitive verbs,
// Twilio's attribute defaults. Pure. Malformed XML or a missing root is Twilio's 12100; an unknown
// verb or a misplaced noun is a 12200 warning (Twilio skips it).
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type Method = 'GET' | 'POST';

export interface StreamNoun {
  url: string;
  name?: string;
  track?: string;
  statusCallback?: string;
  statusCallbackMethod: Method;
  parameters: Record<string, string>;
}

export type Verb =
  | { verb: 'Say'; text: string; language?: string; voice?: string; loop: number }
  | { verb: 'Play'; url: string; loop: number; digits?: string }
  | { verb: 'Pause'; lengthSec: number }
  | { verb: 'Connect'; action?: string; method: Method; stream?: StreamNoun; nouns: string[] }
  | {
      verb: 'Record';
      action?: string;
      method: Method;
      maxLengthSec: number;
      timeoutSec: number;
      finishOnKey: string;
      playBeep: boolean;
      trim: string;
      recordingStatusCallback?: string;
      recordingStatusCallbackMethod: Method;
      recordingStatusCallbackEvents: string[];
    }
  | {
      verb: 'Dial';
      action?: string;
      method: Method;
      timeoutSec: number;
      callerId?: string;
      targets: { kind: string; value: string }[];
    }
  | { verb: 'Redirect'; url: string; method: Method }
  | { verb: 'Hangup' }
  | { verb: 'Reject'; reason: string }
  /** A real Twilio verb the emulator does not act out (Gather, Enqueue, Start, …): skipped, noted. */
  | { verb: 'Unsupported'; name: string };

export type ParsedTwiml =
  { ok: true; verbs: Verb[]; warnings: string[] } | { ok: false; code: 12100; reason: string };

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const KNOWN_UNEMULATED = new Set([
  'Gather',
  'Enqueue',
  'Leave',
  'Sms',
  'Message',
  'Start',
  'Stop',
  'Refer',
  'Pay',
  'Prompt',
  'Echo',
  'Queue',
]);

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

function tagOf(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function childrenOf(node: Node): Node[] {
  const tag = tagOf(node);
  const value = tag ? node[tag] : undefined;
  return Array.isArray(value) ? (value as Node[]) : [];
}

function textOf(node: Node): string {
  return childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : textOf(child)))
    .join(' ')
    .trim();
}

function methodOf(value: string | undefined, warnings: string[], where: string): Method {
  if (value === undefined || value === '') return 'POST';
  const upper = value.toUpperCase();
  if (upper === 'GET' || upper === 'POST') return upper;
  warnings.push(`<${where}> method="${value}" is not GET or POST; POST used`);
  return 'POST';
}

function intOf(
  value: string | undefined,
  fallback: number,
  warnings: string[],
  where: string,
  min = 0,
): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    warnings.push(`<${where}> has an invalid number "${value}"; ${fallback} used`);
    return fallback;
  }
  return Number(value);
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseStream(node: Node, warnings: string[]): StreamNoun {
  const a = node[':@'] ?? {};
  const parameters: Record<string, string> = {};
  for (const child of childrenOf(node)) {
    const tag = tagOf(child);
    if (tag === 'Parameter') {
      const p = child[':@'] ?? {};
      if (p.name === undefined) warnings.push('<Parameter> without a name is ignored');
      else parameters[p.name] = p.value ?? '';
    } else if (tag && tag !== '#text') {
      warnings.push(`<${tag}> is not allowed inside <Stream>`);
    }
  }
  return {
    url: (a.url ?? '').trim(),
    name: optional(a.name),
    track: optional(a.track),
    statusCallback: optional(a.statusCallback),
    statusCallbackMethod: methodOf(a.statusCallbackMethod, warnings, 'Stream'),
    parameters,
  };
}

function parseVerb(node: Node, warnings: string[]): Verb | undefined {
  const tag = tagOf(node);
  if (!tag || tag === '#text') return undefined;
  const a = node[':@'] ?? {};
  switch (tag) {
    case 'Say':
      return {
        verb: 'Say',
        text: textOf(node),
        language: optional(a.language),
        voice: optional(a.voice),
        loop: intOf(a.loop, 1, warnings, 'Say'),
      };
    case 'Play':
      return {
        verb: 'Play',
        url: textOf(node),
        loop: intOf(a.loop, 1, warnings, 'Play'),
        digits: optional(a.digits),
      };
    case 'Pause':
      return { verb: 'Pause', lengthSec: intOf(a.length, 1, warnings, 'Pause') };
    case 'Connect': {
      let stream: StreamNoun | undefined;
      const nouns: string[] = [];
      for (const child of childrenOf(node)) {
        const childTag = tagOf(child);
        if (!childTag || childTag === '#text') continue;
        nouns.push(childTag);
        if (childTag === 'Stream') {
          if (stream) warnings.push('<Connect> allows one <Stream>; the extra one is ignored');
          else stream = parseStream(child, warnings);
        }
      }
      return {
        verb: 'Connect',
        action: optional(a.action),
        method: methodOf(a.method, warnings, 'Connect'),
        stream,
        nouns,
      };
    }
    case 'Record':
      return {
        verb: 'Record',
        action: optional(a.action),
        method: methodOf(a.method, warnings, 'Record'),
        maxLengthSec: intOf(a.maxLength, 3600, warnings, 'Record', 1),
        timeoutSec: intOf(a.timeout, 5, warnings, 'Record'),
        finishOnKey: a.finishOnKey ?? '1234567890*#',
        playBeep: (a.playBeep ?? 'true').toLowerCase() !== 'false',
        trim: a.trim ?? 'trim-silence',
        recordingStatusCallback: optional(a.recordingStatusCallback),
        recordingStatusCallbackMethod: methodOf(a.recordingStatusCallbackMethod, warnings, 'Record'),
        recordingStatusCallbackEvents: (a.recordingStatusCallbackEvent ?? 'completed')
          .split(/[\s,]+/)
          .filter(Boolean),
      };
    case 'Dial': {
      const targets: { kind: string; value: string }[] = [];
      for (const child of childrenOf(node)) {
        if (typeof child['#text'] === 'string') {
          if (child['#text'].trim()) targets.push({ kind: 'Number', value: child['#text'].trim() });
          continue;
        }
        const childTag = tagOf(child);
        if (childTag) targets.push({ kind: childTag, value: textOf(child) });
      }
      return {
        verb: 'Dial',
        action: optional(a.action),
        method: methodOf(a.method, warnings, 'Dial'),
        timeoutSec: intOf(a.timeout, 30, warnings, 'Dial', 1),
        callerId: optional(a.callerId),
        targets,
      };
    }
    case 'Redirect':
      return { verb: 'Redirect', url: textOf(node), method: methodOf(a.method, warnings, 'Redirect') };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: a.reason === 'busy' ? 'busy' : 'rejected' };
    default:
      if (KNOWN_UNEMULATED.has(tag)) return { verb: 'Unsupported', name: tag };
      warnings.push(`<${tag}> is not a TwiML voice verb; skipped`);
      return undefined;
  }
}

export function parseTwiml(xml: string): ParsedTwiml {
  if (xml.trim() === '') return { ok: false, code: 12100, reason: 'the document is empty' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return {
      ok: false,
      code: 12100,
      reason: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, col ${valid.err.col})`,
    };
  }
  let tree: Node[];
  try {
    tree = parser.parse(xml) as Node[];
  } catch (err) {
    return { ok: false, code: 12100, reason: `not parseable XML: ${(err as Error).message}` };
  }
  const roots = tree.filter((n) => {
    const tag = tagOf(n);
    return tag !== undefined && !tag.startsWith('?') && tag !== '#text' && tag !== '#comment';
  });
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== 'Response') {
    const found = roots.map((n) => `<${tagOf(n)}>`).join(', ') || 'nothing';
    return { ok: false, code: 12100, reason: `the root element must be <Response>, found ${found}` };
  }
  const warnings: string[] = [];
  const verbs: Verb[] = [];
  for (const child of childrenOf(root)) {
    if (typeof child['#text'] === 'string') {
      if (child['#text'].trim()) warnings.push(`stray text in <Response>: "${child['#text'].slice(0, 40)}"`);
      continue;
    }
    const verb = parseVerb(child, warnings);
    if (verb) verbs.push(verb);
  }
  return { ok: true, verbs, warnings };
}
