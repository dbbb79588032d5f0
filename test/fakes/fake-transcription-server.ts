// A stand-in for an OpenAI-compatible speech-to-text server on port 0: POST
// /v1/audio/transcriptions, multipart/form-data parsed for real (the WHATWG FormData parser of
// Node's fetch), answering as OpenAI does: verbose_json ({task, language, duration, text,
// segments}), json ({text}), or an {error:{message}} body with the status a test scripts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TranscriptionRequest {
  path: string;
  authorization: string | undefined;
  model: string | null;
  language: string | null;
  responseFormat: string | null;
  filename: string | null;
  fileType: string | null;
  file: Buffer | null;
}

/** What to answer request n with: a status with an error, a text, or hold it until released. */
export type TranscriptionAnswer = { status: number } | { text: string } | { hold: Promise<string> };

export interface FakeTranscriptionServer {
  /** The base URL to set as TRANSCRIBE_URL (…/v1). */
  url: string;
  /** Every request that reached the server, on any path. */
  readonly requests: TranscriptionRequest[];
  /** Request n (0-based) is answered with answer(n, request). */
  answer: (n: number, request: TranscriptionRequest) => TranscriptionAnswer;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseMultipart(req: http.IncomingMessage, body: Buffer): Promise<FormData> {
  return new Request('http://fake/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    body,
  }).formData();
}

export async function startFakeTranscriptionServer(
  answer: FakeTranscriptionServer['answer'] = () => ({ text: 'שלום' }),
): Promise<FakeTranscriptionServer> {
  const fake = { requests: [] as TranscriptionRequest[], answer };
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const body = await readBody(req);
      const request: TranscriptionRequest = {
        path,
        authorization: req.headers.authorization,
        model: null,
        language: null,
        responseFormat: null,
        filename: null,
        fileType: null,
        file: null,
      };
      const n = fake.requests.length;
      fake.requests.push(request);
      if (req.method !== 'POST' || path !== '/v1/audio/transcriptions')
        return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      let form: FormData;
      try {
        form = await parseMultipart(req, body);
      } catch (err) {
        return send(res, 400, { error: { message: `not multipart: ${(err as Error).message}` } });
      }
      const text = (k: string) => (typeof form.get(k) === 'string' ? (form.get(k) as string) : null);
      const file = form.get('file');
      request.model = text('model');
      request.language = text('language');
      request.responseFormat = text('response_format');
      if (file instanceof File) {
        request.filename = file.name;
        request.fileType = file.type;
        request.file = Buffer.from(await file.arrayBuffer());
      }
      if (!request.file || !request.model)
        return send(res, 400, { error: { message: "you must provide a 'file' and a 'model'" } });
      const a = fake.answer(n, request);
      if ('status' in a) return send(res, a.status, { error: { message: `scripted ${a.status}` } });
      const said = 'hold' in a ? await a.hold : a.text;
      if (request.responseFormat === 'verbose_json') {
        return send(res, 200, {
          task: 'transcribe',
          language: 'hebrew',
          duration: Math.max(0, (request.file.length - 44) / 8000),
          text: said,
          segments: [{ id: 0, start: 0, end: 1, text: said }],
        });
      }
      return send(res, 200, { text: said });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
