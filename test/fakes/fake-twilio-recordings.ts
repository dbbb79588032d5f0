// A stand-in for Twilio's recording media endpoint on port 0: GET
// /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav with HTTP basic auth, answering
// as Twilio does (401 + code 20003 for bad credentials, 404 + 20404 for an unknown recording),
// and DELETE …/Recordings/{RecordingSid}.json (204, then 404).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTwilioRecordings {
  url: string;
  /** Recordings it holds, by RecordingSid; add or remove while it runs. */
  readonly recordings: Map<string, Buffer>;
  /** Every request: path and whether its credentials were right. */
  readonly requests: { path: string; authorized: boolean }[];
  /** The paths of DELETE requests (also listed in requests). */
  readonly deletes: string[];
  /** The token it accepts; change it to make the server's credentials wrong. */
  authToken: string;
  /** Holds every answer this long (ms): lets concurrent fetches overlap. */
  delayMs: number;
  close(): Promise<void>;
}

const DELETE_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})\.json$/i;
const PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})\.wav$/i;

export async function startFakeTwilioRecordings(
  accountSid: string,
  authToken: string,
): Promise<FakeTwilioRecordings> {
  const fake: Omit<FakeTwilioRecordings, 'url' | 'close'> = {
    recordings: new Map(),
    requests: [],
    deletes: [],
    authToken,
    delayMs: 0,
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...rest] = auth ? Buffer.from(auth, 'base64').toString('utf8').split(':') : [];
    const authorized = user === accountSid && rest.join(':') === fake.authToken;
    fake.requests.push({ path, authorized });
    if (req.method === 'DELETE') fake.deletes.push(path);
    const json = (status: number, code: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code, message, status }));
    };
    setTimeout(() => {
      if (!authorized) return json(401, 20003, 'Authenticate');
      const del = req.method === 'DELETE' ? DELETE_PATH.exec(path) : null;
      if (del && del[1] === accountSid) {
        if (!fake.recordings.delete(del[2]!))
          return json(404, 20404, `The requested resource ${path} was not found`);
        res.writeHead(204).end();
        return;
      }
      const m = PATH.exec(path);
      const audio = m && m[1] === accountSid ? fake.recordings.get(m[2]!) : undefined;
      if (!audio) return json(404, 20404, `The requested resource ${path} was not found`);
      res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': audio.length });
      res.end(audio);
    }, fake.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
