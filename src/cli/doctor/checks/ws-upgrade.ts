// Check 5: Twilio's signed WebSocket upgrade on the exact Stream URL answers 101, and so does its
// trailing-slash twin. Any other answer is named (redirect, 404, 400, 403, 200, refused, TLS) with
// the error Twilio reports (31920 and friends). A URL Twilio would refuse is probed as corrected.
import type { Check, Finding } from '../types.js';
import { probeOutcome, trailingSlashTwin, upgradeFinding } from '../upgrade-findings.js';
import { twilioError } from '../twilio-facts.js';

export const wsUpgradeCheck: Check = {
  n: 5,
  id: 'ws-upgrade',
  title: 'WebSocket upgrade (101) on the Stream URL and its twin',
  async run(ctx) {
    const { streamUrl, correctedStreamUrl } = ctx.facts;
    const url = streamUrl ?? correctedStreamUrl;
    if (!url) return { summary: 'no Stream URL to dial', skipped: 'no usable Stream URL (checks 2 and 3)' };
    const findings: Finding[] = [];
    const saw: string[] = [];

    if (!streamUrl) {
      const urlFault = ctx.done.find((r) => r.id === 'stream-url')?.findings.find((f) => f.twilio);
      findings.push({
        severity: 'fail',
        cause: 'ws-not-dialled',
        message: `Twilio will not dial the Stream URL as written (see check 3); probed ${url} instead.`,
        twilio: urlFault?.twilio ?? twilioError(31920),
        fix: urlFault?.fix ?? 'fix the Stream URL (check 3)',
      });
    }
    const exact = await ctx.probe(url);
    const twin = await ctx.probe(trailingSlashTwin(url));
    ctx.facts.exactProbe = exact;
    ctx.facts.twinProbe = twin;
    for (const p of [exact, twin]) {
      saw.push(
        `${p.asked} ${probeOutcome(p)}${p.dialled && p.dialled !== p.asked ? ` (dialled ${p.dialled})` : ''}`,
      );
    }
    const exactPath = new URL(url).pathname;
    const twinPath = new URL(twin.asked).pathname;
    if (exact.ok && !twin.ok) {
      findings.push({
        ...upgradeFinding(twin, twin.asked),
        cause: 'ws-trailing-slash',
        message: `the trailing-slash twin ${twinPath} ${probeOutcome(twin)}: a Stream URL written as ${twinPath} (or a proxy that adds or strips the slash) gets 31920.`,
        fix: `serve the WebSocket on both ${exactPath} and ${twinPath}, with no redirect between them`,
      });
    } else if (!exact.ok && twin.ok && exact.status === 404) {
      findings.push({
        ...upgradeFinding(exact, exact.asked),
        cause: 'ws-trailing-slash',
        message: `${exactPath} answered 404 but ${twinPath} answers 101: the TwiML and the server disagree about the trailing slash.`,
        fix: `serve the WebSocket on both ${exactPath} and ${twinPath}`,
      });
    } else if (!exact.ok) {
      findings.push(upgradeFinding(exact, exact.asked));
      // A different fault on the twin is a second problem, found now rather than after the first fix.
      if (!twin.ok && (twin.status !== exact.status || twin.code !== exact.code)) {
        findings.push({
          ...upgradeFinding(twin, twin.asked),
          cause: 'ws-trailing-slash',
          message: `the trailing-slash twin ${twinPath} ${probeOutcome(twin)} as well.`,
          fix: `serve the WebSocket on both ${exactPath} and ${twinPath}, with no redirect between them`,
        });
      }
    }
    const summary =
      exact.ok && twin.ok
        ? `101 on ${exactPath} (${exact.ms} ms) and on ${twinPath} (${twin.ms} ms)`
        : `${exactPath} ${probeOutcome(exact)}; ${twinPath} ${probeOutcome(twin)}`;
    return { summary, saw, findings };
  },
};
