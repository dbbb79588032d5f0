// Property: a live server fed random frame sequences over real sockets — before `start`, after a
// valid `start`, mutated frames, binary frames, a second start — never throws, ends a stream only
// with a normal or policy close, and the call beside them keeps its audio flowing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  closedWithin,
  connect,
  echoAgents,
  liveCall,
  newCall,
  sendStart,
  until,
} from '../security/stream-client.js';
import { runs } from './fc-setup.js';
import { structural, textual, twilioText } from './frame-arbitraries.js';

const frame = fc.oneof(
  { weight: 3, arbitrary: twilioText.map((t) => ({ text: t })) },
  { weight: 3, arbitrary: structural.map((t) => ({ text: t })) },
  { weight: 3, arbitrary: textual.map((t) => ({ text: t })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ binary: Buffer.from(b) })) },
);

describe('a media socket fed random frames', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(
      { STREAM_START_TIMEOUT_MS: '2000', RECORD_CALLS: 'false' },
      { agents: echoAgents() },
    );
  });
  afterAll(async () => {
    await s.stop();
  });

  it('closes at most normally or by policy, and disturbs no other call', async () => {
    const bystander = await liveCall(s);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(frame, { maxLength: 25 }), async (started, frames) => {
        const o = await connect(s);
        if (started) {
          const { callSid, token } = await newCall(s);
          sendStart(o, callSid, token);
        }
        for (const f of frames) {
          if (o.ws.readyState !== o.ws.OPEN) break;
          if ('binary' in f) o.ws.send(f.binary, { binary: true });
          else o.ws.send(f.text);
        }
        o.ws.close(1000);
        // 1009: a frame over the size limit; 1007: invalid UTF-8 (a lone surrogate in the text).
        expect([1000, 1005, 1007, 1008, 1009]).toContain((await closedWithin(o, 3000)).code);
      }),
      runs(40),
    );
    await bystander.echoes();
    await until(() => s.built.sessions.size === 1);
    expect(s.logs.find(/^(INTERNAL|UNCAUGHT|AGENT_THREW)/)).toEqual([]);
    bystander.o.ws.close();
  });
});
