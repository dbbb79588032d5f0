// The two code lists hold what src/ really uses, read from the source with the TypeScript parser:
// every UPPER_SNAKE code a pino message leads with is in src/log-events.ts or src/errors.ts, every
// `error: '…'` a route answers with is a catalogue code, and neither list keeps a code no one uses.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { API_ERRORS } from '../../src/api/errors.js';
import { LOG_EVENTS } from '../../src/log-events.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/** A leading code: two or more of A-Z, 0-9 and _, then the end, a space, a colon or a parenthesis. */
const LEADING_CODE = /^([A-Z][A-Z0-9_]*[A-Z0-9])(?=$|[\s:(])/;
/** Log messages that are not literals, and why their code is known anyway. */
const DYNAMIC_MESSAGES: Record<string, string> = {
  'error.code': 'an AppError logged under its own catalogue code (server/app.ts)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface LogCall {
  where: string;
  /** The message's leading literal text, if it has one. */
  text?: string;
  expression: string;
}

/** A message's leading literal text: a string, a template's head, the left end of a `+` chain. */
function textOf(node: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return textOf(node.left);
  if (ts.isParenthesizedExpression(node)) return textOf(node.expression);
  return undefined;
}

/** Every `<logger>.<level>(…)` call: the message is the first argument if it is a string, else the second. */
function logCalls(file: string): LogCall[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: LogCall[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      LEVELS.has(node.expression.name.text) &&
      node.expression.expression.getText(source) !== 'console'
    ) {
      const [first, second] = node.arguments;
      const message = first && textOf(first) !== undefined ? first : second;
      if (message) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        const text = textOf(message);
        found.push({
          where: `${path.relative(SRC, file)}:${line}`,
          expression: message.getText(source),
          ...(text !== undefined ? { text } : {}),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = sourceFiles(SRC);
const calls = files.flatMap(logCalls);
const codeOf = (call: LogCall) => (call.text === undefined ? undefined : LEADING_CODE.exec(call.text)?.[1]);
const errorCodes = new Set(Object.keys(ERRORS));
const sources = files.map((f) => ({ file: path.relative(SRC, f), text: readFileSync(f, 'utf8') }));

describe('log events', () => {
  it('finds the log calls it checks (the scan itself works)', () => {
    const codes = new Set(calls.map(codeOf));
    for (const known of ['WS_START', 'TWIML_CONNECT_STREAM', 'STORE_SLOW', 'WS_DTMF', 'TWILIO_REST_FAILED'])
      expect(codes).toContain(known);
  });

  it('lists every code a log message leads with, in log-events.ts or the error catalogue', () => {
    const unlisted = calls
      .filter((c) => {
        const code = codeOf(c);
        return code !== undefined && !Object.hasOwn(LOG_EVENTS, code) && !errorCodes.has(code);
      })
      .map((c) => `${c.where} ${codeOf(c)}`);
    expect(unlisted, 'add these to src/log-events.ts with a one-line meaning').toEqual([]);
  });

  it('has only literal messages, but for the dynamic ones it knows', () => {
    const dynamic = calls
      .filter((c) => c.text === undefined && !Object.hasOwn(DYNAMIC_MESSAGES, c.expression))
      .map((c) => `${c.where} ${c.expression}`);
    expect(dynamic).toEqual([]);
  });

  it('lists no event that nothing logs, and none that is also an error code', () => {
    const logged = new Set(calls.map(codeOf));
    expect(Object.keys(LOG_EVENTS).filter((e) => !logged.has(e))).toEqual([]);
    expect(Object.keys(LOG_EVENTS).filter((e) => errorCodes.has(e))).toEqual([]);
  });
});

describe('error catalogue', () => {
  it('holds only codes the code uses', () => {
    const unused = [...errorCodes].filter(
      (code) => !sources.some((s) => s.file !== 'errors.ts' && s.text.includes(`'${code}'`)),
    );
    expect(unused).toEqual([]);
  });

  it('answers HTTP errors only with catalogue codes', () => {
    const answered = sources.flatMap((s) =>
      [...s.text.matchAll(/\berror: '([A-Z_]+)'/g)].map((m) => ({ file: s.file, code: m[1] ?? '' })),
    );
    expect(answered.length).toBeGreaterThan(0);
    // The CRM API answers from its own catalogue (src/api/errors.ts), the rest from errors.ts.
    const known = (a: { file: string; code: string }) =>
      a.file.startsWith('api/') ? Object.hasOwn(API_ERRORS, a.code) : errorCodes.has(a.code);
    expect(answered.filter((a) => !known(a))).toEqual([]);
  });
});
