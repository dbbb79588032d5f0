// A small HTTP client with a cookie jar and the CSRF header, as the dashboard will behave, for
// tests that talk to a real server (startTestServer) over the network.
import { startTestServer, type TestServer } from '../support/server.js';

export const ADMIN_PASSWORD = 'first-admin-pass-123';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  /** The parsed Set-Cookie lines, for attribute checks. */
  setCookies: string[];
}

export class ApiClient {
  /** name → value; a cookie the server clears is removed. */
  readonly jar = new Map<string, string>();
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(readonly origin: string) {}

  async request(
    method: string,
    path: string,
    opts: { json?: unknown; body?: string; headers?: Record<string, string>; csrf?: string | null } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const csrf = opts.csrf === undefined ? this.csrfToken : opts.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(`${this.origin}${path}`, { method, headers, body });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const cleared = /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line) || value === '';
      if (cleared) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, setCookies };
  }

  async login(username: string, password: string): Promise<ApiAnswer> {
    const answer = await this.request('POST', '/api/v1/auth/login', { json: { username, password } });
    if (answer.status === 200) this.csrfToken = (answer.body as { csrfToken: string }).csrfToken;
    return answer;
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, json?: unknown) => this.request('POST', path, { json: json ?? {} });
  patch = (path: string, json: unknown) => this.request('PATCH', path, { json });
  delete = (path: string) => this.request('DELETE', path);
}

/** A server whose first admin has a known password, and a client signed in as that admin. */
export async function serverWithAdmin(env: Record<string, string> = {}) {
  const server: TestServer = await startTestServer({ ADMIN_PASSWORD, ...env });
  const admin = new ApiClient(server.origin);
  const login = await admin.login('admin', ADMIN_PASSWORD);
  if (login.status !== 200)
    throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { server, admin };
}

/** Creates a user through the API as `admin` and returns a client signed in as them. */
export async function signedInUser(
  admin: ApiClient,
  user: { username: string; role: 'admin' | 'agent'; agentId?: string },
  password = 'agent-pass-12345',
): Promise<ApiClient> {
  const created = await admin.post('/api/v1/users', { ...user, password });
  if (created.status !== 201)
    throw new Error(`create user failed: ${created.status} ${JSON.stringify(created.body)}`);
  const client = new ApiClient(admin.origin);
  const login = await client.login(user.username, password);
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return client;
}
