// Check 8: signatures. An unsigned (or wrongly signed) incoming_call must be refused — if it is
// accepted, anyone can place fake calls. The WS route must accept Twilio's upgrade signature (over
// the wss:// URL) and must not demand the HTTP form signature (over https://…) — that is a 31920.
import { newSid } from '../../../emulator/index.js';
import type { DoctorContext } from '../context.js';
import { rawUpgrade } from '../raw-upgrade.js';
import type { Check, Finding } from '../types.js';
import { twilioError, voiceParams } from '../twilio-facts.js';

async function postForm(
  url: string,
  params: Record<string, string>,
  signature: string | undefined,
  timeoutMs: number,
) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature ? { 'x-twilio-signature': signature } : {}),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { status: res.status };
  } catch (err) {
    return { error: ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message };
  }
}

async function webhookFindings(ctx: DoctorContext, saw: string[]): Promise<Finding[]> {
  const url = ctx.target.webhookUrl;
  const params = voiceParams({ accountSid: ctx.accountSid, callSid: newSid('CA') }, 'ringing');
  const timeout = ctx.budgets.webhookBudgetMs;
  const tries = [
    { label: 'unsigned', signature: undefined },
    { label: 'wrongly signed', signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
  ];
  const findings: Finding[] = [];
  for (const t of tries) {
    const got = await postForm(url, params, t.signature, timeout);
    if ('error' in got) {
      saw.push(`${t.label} incoming_call: no answer (${got.error})`);
      findings.push({
        severity: 'warn',
        cause: 'unsigned-probe-failed',
        message: `the ${t.label} incoming_call got no answer (${got.error}), so signature enforcement is unknown.`,
        fix: 'run doctor again; check the server log',
      });
      continue;
    }
    saw.push(`${t.label} incoming_call → ${got.status}`);
    if (got.status >= 200 && got.status < 300) {
      findings.push({
        severity: 'fail',
        cause: 'unsigned-webhook-accepted',
        message: `an ${t.label} incoming_call was accepted (HTTP ${got.status}): anyone who knows the URL can place fake calls and fill your CRM.`,
        fix: 'check X-Twilio-Signature on every /webhook/* (WEBHOOK_SIGNATURE_CHECK=enforce, the default)',
      });
      break;
    }
    if (got.status >= 500) {
      findings.push({
        severity: 'warn',
        cause: 'unsigned-webhook-error',
        message: `an ${t.label} incoming_call got HTTP ${got.status}: refused, but by crashing rather than with 400/403.`,
        fix: 'answer a missing signature with 400 and a wrong one with 403',
      });
    }
  }
  return findings;
}

async function wsFindings(ctx: DoctorContext, saw: string[]): Promise<Finding[]> {
  const exact = ctx.facts.exactProbe;
  if (!exact) {
    saw.push('WS route: not probed (no Stream URL)');
    return [];
  }
  const upgrade = (signOver: string | null) =>
    rawUpgrade({
      url: exact.asked,
      signOver,
      authToken: ctx.authToken,
      map: ctx.target.networkMap,
      timeoutMs: Math.min(ctx.budgets.webhookBudgetMs, 10_000),
    });
  if (exact.ok) {
    saw.push(
      `Twilio's upgrade signature (over ${exact.asked}) is accepted: no HTTP form check on the WS route`,
    );
    const unsigned = await upgrade(null);
    saw.push(`unsigned upgrade → ${unsigned.status ?? unsigned.message}`);
    if (unsigned.ok) {
      return [
        {
          severity: 'warn',
          cause: 'ws-unsigned-accepted',
          message:
            'the media WebSocket accepts an unsigned upgrade: only something inside the stream (a per-call token in `start`) keeps strangers out.',
          fix: 'check x-twilio-signature over the wss:// URL on the upgrade (STREAM_SIGNATURE_CHECK=enforce)',
        },
      ];
    }
    return [];
  }
  if (exact.status !== 401 && exact.status !== 403) {
    saw.push(
      `WS route: Twilio's upgrade got ${exact.status ?? exact.message} (see check 5), signatures not judged`,
    );
    return [];
  }
  // Refused: does it want the signature a form-webhook check would compute (https:// or http://)?
  const asked = new URL(exact.asked);
  for (const scheme of ['https:', 'http:']) {
    const formUrl = new URL(asked.href);
    formUrl.protocol = scheme;
    const got = await upgrade(formUrl.href);
    saw.push(`upgrade signed over ${formUrl.href} → ${got.status ?? got.message}`);
    if (got.ok) {
      return [
        {
          severity: 'fail',
          cause: 'ws-form-signature',
          message: `the WS route is wrapped in the HTTP webhook signature check: it accepts a signature over ${formUrl.href} but Twilio signs the upgrade over ${asked.href}, so every stream gets ${exact.status} → 31920.`,
          twilio: twilioError(31920),
          fix: 'take the WS route out of the webhook middleware; check the upgrade with validateRequest(token, x-twilio-signature, "wss://<host><path>", {})',
        },
      ];
    }
  }
  return [
    {
      severity: 'fail',
      cause: 'ws-signature-rejected',
      message: ctx.facts.webhookSignatureRejected
        ? `the WS route refuses Twilio's upgrade signature, and the webhook refused its signature too: the server uses a different auth token.`
        : `the WS route refuses Twilio's upgrade signature over ${asked.href}: it checks another URL (host, scheme or port) or token.`,
      twilio: twilioError(31920),
      fix: 'use the server’s auth token (--auth-token), and make the server check the wss:// URL exactly as its TwiML writes it (PUBLIC_HOST)',
    },
  ];
}

export const signaturesCheck: Check = {
  n: 8,
  id: 'signatures',
  title: 'Signatures',
  async run(ctx) {
    const saw: string[] = [];
    const findings = [...(await webhookFindings(ctx, saw)), ...(await wsFindings(ctx, saw))];
    const refused = !findings.some((f) => f.cause === 'unsigned-webhook-accepted');
    const ws = ctx.facts.exactProbe?.ok ? 'WS accepts Twilio’s wss signature' : 'WS not verified';
    return {
      summary: `${refused ? 'unsigned webhooks refused' : 'UNSIGNED WEBHOOKS ACCEPTED'}; ${ws}`,
      saw,
      findings,
    };
  },
};
