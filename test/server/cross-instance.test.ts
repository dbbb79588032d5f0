// Any instance, any part of a call: real servers on one PostgreSQL schema and one bus (PostgreSQL
// LISTEN/NOTIFY, and Redis pub/sub), the emulator sending a call's webhooks to instance A and its
// media stream to instance B, as a load balancer without sticky sessions may. A terminal status
// taken by A ends B's stream; B's stream releases A's pre-warm while the call is still live; a
// dashboard hang-up asked on A is run by B; a dashboard on B sees A's calls, and a Last-Event-ID
// from B replays on A.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFactory } from '../../src/agents/agent.js';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { requestCallAction } from '../../src/server/call-relay.js';
import { ADMIN_PASSWORD, ApiClient } from '../api/support.js';
import { CLUSTER_BUSES, startCluster, type Cluster } from '../support/cluster.js';
import { openSse } from '../support/sse-client.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, freePort } from '../support/server.js';
import { until } from '../support/until.js';

const PUBLIC = 'cluster.example.com';
const url = (p: string) => `https://${PUBLIC}${p}`;

/** An agent factory that notes what it pre-warmed and released (instance A's). */
function notingAgents(): AgentFactory & { prewarmed: string[]; released: string[] } {
  const prewarmed: string[] = [];
  const released: string[] = [];
  return {
    name: 'noting',
    prewarmed,
    released,
    health: () => 'ok',
    prewarm: (call) => void prewarmed.push(call.callSid),
    release: (sid) => void released.push(sid),
    create: () => ({ start: async () => {}, onAudio: () => {}, onDtmf: () => {}, close: async () => {} }),
  };
}

for (const { bus, skip } of CLUSTER_BUSES) {
  describe.skipIf(skip)(`two instances on the ${bus} bus${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let cluster: Cluster;
    let emulator: TwilioEmulator;
    let rest: FakeTwilioRest;
    const agentsA = notingAgents();

    beforeAll(async () => {
      const ports = [await freePort(), await freePort()];
      // Webhooks (and status callbacks) reach A, the media stream reaches B.
      emulator = new TwilioEmulator({
        authToken: TEST_AUTH_TOKEN,
        accountSid: TEST_ACCOUNT_SID,
        networkMap: {
          [`https://${PUBLIC}`]: `http://127.0.0.1:${ports[0]}`,
          [`wss://${PUBLIC}`]: `ws://127.0.0.1:${ports[1]}`,
        },
      });
      rest = await startFakeTwilioRest({
        emulator,
        authToken: TEST_AUTH_TOKEN,
        accountSid: TEST_ACCOUNT_SID,
      });
      cluster = await startCluster(2, {
        bus,
        env: { PUBLIC_HOST: PUBLIC, TWILIO_API_BASE_URL: rest.url, ADMIN_PASSWORD },
        envOf: (i) => ({ PORT: String(ports[i]) }),
        overrides: (i) => (i === 0 ? { agents: agentsA } : {}),
      });
    }, 60_000);
    afterAll(async () => {
      await emulator?.close();
      await rest?.close();
      await cluster?.close();
    });

    const place = () =>
      emulator.placeCall({
        webhookUrl: url('/webhook/incoming_call'),
        statusCallbackUrl: url('/webhook/call_status'),
        caller: { hangUpAfterMs: 60_000 },
      });
    const liveOn = (i: number, callSid: string) =>
      [...cluster.servers[i]!.built.sessions].some(
        (s) => s.sids.callSid === callSid && s.liveActions() !== undefined,
      );

    it('ends the stream on B when A takes the terminal status; B releases A’s pre-warm first', async () => {
      const call = place();
      await until(() => liveOn(1, call.callSid), 'the stream live on B');
      expect(liveOn(0, call.callSid)).toBe(false);
      expect(agentsA.prewarmed).toContain(call.callSid);
      // Released because the stream started elsewhere, while the call is still live.
      await until(() => agentsA.released.includes(call.callSid), 'A releasing its pre-warm');
      expect(liveOn(1, call.callSid)).toBe(true);

      const status = await call.sendStatusCallback({ status: 'completed' });
      expect(status.status).toBe(204);
      await until(() => !liveOn(1, call.callSid), 'B closing the stream of the ended call');
      const stream = call.streams[0];
      expect(stream).toMatchObject({ closeCode: 1000, endedBy: 'server' });
      await call.hangUp();
    });

    it('runs a dashboard hang-up asked on A on B, which holds the stream', async () => {
      const call = place();
      await until(() => liveOn(1, call.callSid), 'the stream live on B');
      expect(
        requestCallAction(cluster.servers[0]!.built.deps.bus, {
          action: 'hangup',
          callSid: call.callSid,
          by: 'test',
        }),
      ).toBe(true);
      const result = await call.done;
      expect(result.endedBy).toBe('api');
      expect(cluster.servers[1]!.logs.find('CALL_ACTION').some((l) => l.callSid === call.callSid)).toBe(true);
    });

    it('shows A’s call on B’s dashboard, and replays from B’s Last-Event-ID on A', async () => {
      const [a, b] = cluster.servers;
      const onB = new ApiClient(b!.origin);
      expect((await onB.login('admin', ADMIN_PASSWORD)).status).toBe(200);
      const cookie = [...onB.jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const sseB = await openSse(`${b!.origin}/api/v1/events`, { cookie });
      const call = place();
      const mine = (e: { data: unknown }) => (e.data as { callSid?: string }).callSid === call.callSid;
      const first = await sseB.waitFor((e) => mine(e) && e.event === 'call.started');
      await sseB.waitFor((e) => mine(e) && e.event === 'stream.started');
      await call.hangUp();
      await sseB.waitFor((e) => mine(e) && e.event === 'stream.stopped');
      const seenOnB = sseB.events.filter(mine);
      sseB.close();

      // The session is in the shared store: the cookie is good on A, and A's ring has B's ids.
      const sseA = await openSse(`${a!.origin}/api/v1/events`, { cookie, 'last-event-id': first.id! });
      const lastId = seenOnB.at(-1)!.id;
      await sseA.waitFor((e) => e.id === lastId);
      expect(sseA.events.some((e) => e.event === 'reset')).toBe(false);
      const replayed = sseA.events.filter(mine).map((e) => e.id);
      // The same ids in the same order (the call goes on to voicemail after: more may follow).
      const expected = seenOnB.slice(1).map((e) => e.id);
      expect(expected.length).toBeGreaterThan(2);
      expect(replayed.slice(0, expected.length)).toEqual(expected);
      sseA.close();
    });
  });
}
