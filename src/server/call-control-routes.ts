// POST /api/v1/calls/:callSid/hangup and /transfer, inside the API's scope: the Live page's buttons.
// Both act through Twilio's REST API (the in-process emulator's for a test call), so they work
// from whichever instance the dashboard reached: Twilio ends the call or replaces its TwiML, and
// the instance holding the stream sees it stop. A transfer routes like an agent's (the directory,
// its hours and lines) and is on the call's timeline as asked from the dashboard.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { routeSchema } from '../api/openapi.js';
import { agentScopeOf, principalOf } from '../api/principal.js';
import { callSidParam } from '../api/query-schemas.js';
import { parseInput, parseParams } from '../api/validate.js';
import type { CallRecord } from '../store/store.js';
import { isTerminalStatus } from '../twilio/call-status.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { AppDeps } from './app.js';
import { publicOrigin } from './webhooks/webhook-kit.js';

const transferBody = z
  .strictObject({
    department: z.string().trim().min(1).max(64).optional(),
    agentId: z.string().trim().min(1).max(64).optional(),
  })
  .refine((b) => !(b.department && b.agentId), { message: 'send department or agentId, not both' });
const accepted = z.object({ callSid: z.string(), action: z.enum(['hangup', 'transfer']) });
const transferAccepted = accepted.extend({ department: z.string(), ringing: z.array(z.array(z.string())) });

function who(request: FastifyRequest): string {
  const p = principalOf(request);
  return p.kind === 'session' ? `user:${p.user.username}` : `api-key:${p.apiKey.name}`;
}

export function callControlRoutes(deps: AppDeps) {
  const rest = (callSid: string): TwilioCallsApi => {
    const api = deps.restFor?.(callSid) ?? deps.twilioCalls;
    if (!api)
      throw new ApiError(
        'CONFLICT',
        'no Twilio REST credentials (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): the server cannot act on a live call',
      );
    return api;
  };
  /** The live call the principal may act on: 404 unknown or not theirs, 409 over. */
  const liveCall = async (request: FastifyRequest): Promise<CallRecord> => {
    const { callSid } = parseParams(callSidParam, request);
    const call = await deps.store.getCall(callSid);
    const scope = agentScopeOf(principalOf(request));
    const agentId = scope && (await deps.store.getCallAgent(callSid));
    if (!call || (scope && (scope.agentId === null || agentId !== scope.agentId)))
      throw new ApiError('NOT_FOUND', `no call ${callSid}`, 'callSid');
    if (isTerminalStatus(call.status)) throw new ApiError('CONFLICT', `the call is over (${call.status})`);
    return call;
  };
  const upstream = (what: string, err: unknown): ApiError => {
    deps.log.error({ err }, 'CALL_CONTROL_FAILED');
    return new ApiError(
      'UPSTREAM_FAILED',
      `Twilio refused to ${what}: ${err instanceof Error ? err.message : String(err)}`,
    );
  };

  return async (scope: FastifyInstance) => {
    const tags = ['calls'];
    scope.post(
      '/calls/:callSid/hangup',
      {
        schema: routeSchema({
          summary: 'Hang up a live call',
          tags,
          params: callSidParam,
          responses: { 202: accepted },
          errors: {
            404: 'no such call (or not yours)',
            409: 'the call is over, or no Twilio REST credentials',
            502: 'Twilio refused',
          },
        }),
      },
      async (request, reply) => {
        const call = await liveCall(request);
        const api = rest(call.callSid);
        const by = who(request);
        request.log.info({ callSid: call.callSid, by }, 'CALL_HANGUP_REQUESTED');
        await deps.store.setCallOutcome(call.callSid, 'hangup: dashboard');
        await deps.store.addCallEvent({
          callSid: call.callSid,
          kind: 'dashboard',
          name: 'hangup',
          detail: { by },
          at: new Date(),
        });
        await api.hangUp(call.callSid).catch((err: unknown) => {
          throw upstream('hang up', err);
        });
        return reply.code(202).send({ callSid: call.callSid, action: 'hangup' });
      },
    );

    scope.post(
      '/calls/:callSid/transfer',
      {
        schema: routeSchema({
          summary: 'Transfer a live call to a department or an agent',
          description: 'Routes as an agent would (hours, status, lines); 409 names why nobody can take it.',
          tags,
          params: callSidParam,
          body: transferBody,
          responses: { 202: transferAccepted },
          errors: {
            404: 'no such call (or not yours)',
            409: 'nobody can take it now (the reason), the call is over, or no Twilio REST credentials',
            502: 'Twilio refused',
          },
        }),
      },
      async (request, reply) => {
        const call = await liveCall(request);
        const body = parseInput(transferBody, request.body ?? {}, 'body');
        const api = rest(call.callSid);
        const origin = publicOrigin(deps, request);
        if (!origin)
          throw new ApiError(
            'BAD_REQUEST',
            'no Host header and no PUBLIC_HOST: cannot build the callback URLs',
          );
        const route = await deps.router.route({
          callSid: call.callSid,
          from: call.fromNumber,
          ...(body.department ? { department: body.department } : {}),
          ...(body.agentId ? { person: body.agentId } : {}),
        });
        if (route.kind === 'none')
          throw new ApiError('CONFLICT', `nobody can take the call (${route.reason}): ${route.detail}`);
        const by = who(request);
        request.log.info(
          { callSid: call.callSid, by, department: route.department },
          'CALL_TRANSFER_REQUESTED',
        );
        const twiml = await deps.transfers.start({ callSid: call.callSid, origin, route });
        await deps.store.addCallEvent({
          callSid: call.callSid,
          kind: 'dashboard',
          name: 'transfer',
          detail: { by, department: route.department },
          at: new Date(),
        });
        try {
          await api.updateTwiml(call.callSid, twiml);
        } catch (err) {
          await deps.transfers.abandon(call.callSid).catch(() => undefined);
          throw upstream('transfer the call', err);
        }
        return reply.code(202).send({
          callSid: call.callSid,
          action: 'transfer',
          department: route.department,
          ringing: route.groups.map((g) => g.map((c) => c.agentId)),
        });
      },
    );
  };
}
