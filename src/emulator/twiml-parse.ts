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

/** A <Dial> noun: Number, Sip or Client (dialled), or one the emulator does not dial (Conference, Queue, …). */
export interface DialTarget {
  kind: string;
  value: string;
  /** The noun's url: TwiML run on the called party's leg once it answers (a whisper). */
  url?: string;
  method?: Method;
}

/** What <Gather> may nest (Twilio: <Say>, <Play>, <Pause>). */
export type GatherPrompt = Extract<Verb, { verb: 'Say' | 'Play' | 'Pause' }>;

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
      answerOnBridge: boolean;
      sequential: boolean;
      targets: DialTarget[];
    }
  | {
      verb: 'Gather';
      action?: string;
      method: Method;
      /** Unlimited when absent. */
      numDigits?: number;
      timeoutSec: number;
      /** One key, or '' for none. */
      finishOnKey: string;
      actionOnEmptyResult: boolean;
      prompts: GatherPrompt[];
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

const isTrue = (value: string | undefined) => (value ?? '').trim().toLowerCase() === 'true';

/** Twilio dials at most ten nouns at once. */
const MAX_DIAL_TARGETS = 10;
/** The nouns whose `url` runs on the called party's leg. */
const WHISPER_NOUNS = new Set(['Number', 'Sip', 'Client']);

function parseDialTargets(node: Node, warnings: string[]): DialTarget[] {
  const targets: DialTarget[] = [];
  for (const child of childrenOf(node)) {
    if (typeof child['#text'] === 'string') {
      if (child['#text'].trim()) targets.push({ kind: 'Number', value: child['#text'].trim() });
      continue;
    }
    const kind = tagOf(child);
    if (!kind) continue;
    const a = child[':@'] ?? {};
    const url = WHISPER_NOUNS.has(kind) ? optional(a.url) : undefined;
    targets.push({
      kind,
      value: textOf(child),
      ...(url ? { url, method: methodOf(a.method, warnings, kind) } : {}),
    });
  }
  if (targets.length > MAX_DIAL_TARGETS) {
    warnings.push(
      `<Dial> dials at most ${MAX_DIAL_TARGETS} nouns; the other ${targets.length - MAX_DIAL_TARGETS} are ignored`,
    );
    targets.length = MAX_DIAL_TARGETS;
  }
  return targets;
}

function parseGather(node: Node, warnings: string[]): Verb {
  const a = node[':@'] ?? {};
  const prompts: GatherPrompt[] = [];
  for (const child of childrenOf(node)) {
    const verb = parseVerb(child, warnings);
    if (!verb) continue;
    if (verb.verb === 'Say' || verb.verb === 'Play' || verb.verb === 'Pause') prompts.push(verb);
    else
      warnings.push(
        `<${verb.verb === 'Unsupported' ? verb.name : verb.verb}> is not allowed inside <Gather>`,
      );
  }
  const finishOnKey = a.finishOnKey ?? '#';
  if (!/^[0-9*#]?$/.test(finishOnKey)) warnings.push(`<Gather> finishOnKey="${finishOnKey}" is not one key`);
  return {
    verb: 'Gather',
    action: optional(a.action),
    method: methodOf(a.method, warnings, 'Gather'),
    ...(a.numDigits !== undefined ? { numDigits: intOf(a.numDigits, 1, warnings, 'Gather', 1) } : {}),
    timeoutSec: intOf(a.timeout, 5, warnings, 'Gather', 1),
    finishOnKey: finishOnKey.slice(0, 1),
    actionOnEmptyResult: isTrue(a.actionOnEmptyResult),
    prompts,
  };
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
    case 'Dial':
      return {
        verb: 'Dial',
        action: optional(a.action),
        method: methodOf(a.method, warnings, 'Dial'),
        // Twilio's timeout runs from 5 to 600 seconds; values outside are brought inside.
        timeoutSec: Math.min(600, Math.max(5, intOf(a.timeout, 30, warnings, 'Dial', 1))),
        callerId: optional(a.callerId),
        answerOnBridge: isTrue(a.answerOnBridge),
        sequential: isTrue(a.sequential),
        targets: parseDialTargets(node, warnings),
      };
    case 'Gather':
      return parseGather(node, warnings);
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
