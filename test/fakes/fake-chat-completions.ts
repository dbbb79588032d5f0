// A stand-in for an OpenAI-compatible chat completions server on port 0: POST
// /v1/chat/completions with a JSON body; answers a chat.completion whose message content is what
// the test scripts (or an {error:{message}} with a scripted status). Records every request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
  } | null;
}

export type ChatAnswer = { status: number } | { content: string };

export interface FakeChatServer {
  url: string;
  readonly requests: ChatRequest[];
  answer: (n: number, request: ChatRequest) => ChatAnswer;
  close(): Promise<void>;
}

export async function startFakeChatServer(answer: FakeChatServer['answer']): Promise<FakeChatServer> {
  const fake = { requests: [] as ChatRequest[], answer };
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const request: ChatRequest = { path, authorization: req.headers.authorization, body: null };
      const n = fake.requests.length;
      fake.requests.push(request);
      if (req.method !== 'POST' || path !== '/v1/chat/completions')
        return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      try {
        request.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest['body'];
      } catch {
        return send(res, 400, { error: { message: 'body is not JSON' } });
      }
      if (!request.body?.model || !Array.isArray(request.body.messages))
        return send(res, 400, { error: { message: "'model' and 'messages' are required" } });
      const a = fake.answer(n, request);
      if ('status' in a) return send(res, a.status, { error: { message: `scripted ${a.status}` } });
      send(res, 200, {
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: a.content, refusal: null },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      });
    });
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
