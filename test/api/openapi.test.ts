// The OpenAPI document covers the CRM routes as well as the access ones: every route the issue
// names, each JSON answer with its fields, the error answers a client must handle, and the media
// type of the answers that are not JSON (audio, CSV, the event stream).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmTestServer, type CrmTestServer } from './crm-app.js';

type Operation = {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: { properties?: object } }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

const CRM_ROUTES: [method: string, path: string, answer: string, type: string][] = [
  ['get', '/calls', '200', 'application/json'],
  ['get', '/calls/{callSid}', '200', 'application/json'],
  ['post', '/calls/{callSid}/hangup', '202', 'application/json'],
  ['post', '/calls/{callSid}/transfer', '202', 'application/json'],
  ['get', '/recordings/{id}/audio', '206', 'audio/wav'],
  ['get', '/contacts', '200', 'application/json'],
  ['get', '/contacts/{id}', '200', 'application/json'],
  ['patch', '/contacts/{id}', '200', 'application/json'],
  ['get', '/leads', '200', 'application/json'],
  ['get', '/leads/{id}', '200', 'application/json'],
  ['patch', '/leads/{id}', '200', 'application/json'],
  ['get', '/calls.csv', '200', 'text/csv'],
  ['get', '/leads.csv', '200', 'text/csv'],
  ['get', '/stats', '200', 'application/json'],
  ['get', '/events', '200', 'text/event-stream'],
  ['get', '/agents', '200', 'application/json'],
  ['post', '/agents', '201', 'application/json'],
  ['get', '/agents/{id}', '200', 'application/json'],
  ['patch', '/agents/{id}', '200', 'application/json'],
  ['patch', '/agents/{id}/status', '200', 'application/json'],
  ['put', '/departments/{id}', '200', 'application/json'],
  ['get', '/settings', '200', 'application/json'],
];

describe('the OpenAPI document of the CRM API', () => {
  let s: CrmTestServer;
  let doc: Doc;
  beforeAll(async () => {
    s = await startCrmTestServer();
    doc = (await (await fetch(`${s.api}/openapi.json`)).json()) as Doc;
  });
  afterAll(async () => s.stop());

  it.each(CRM_ROUTES)('%s %s: its answer %s as %s, and its errors', (method, path, answer, type) => {
    const op = doc.paths[`/api/v1${path}`]?.[method];
    expect(op, `${method} ${path}`).toBeDefined();
    expect(op!.summary).toBeTruthy();
    const content = op!.responses[answer]?.content;
    expect(Object.keys(content ?? {})).toEqual([type]);
    if (type === 'application/json') expect(content![type]!.schema?.properties).toBeDefined();
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['401', '403']));
    if (path.includes('{')) expect(Object.keys(op!.responses)).toContain('400');
  });

  it('documents the filters of GET /calls and the body of a lead edit', () => {
    const filters = doc.paths['/api/v1/calls']!.get!.parameters!.map((p) => p.name);
    expect(filters).toEqual(
      expect.arrayContaining(['from', 'to', 'status', 'outcome', 'agent', 'q', 'cursor']),
    );
    expect(doc.paths['/api/v1/leads/{id}']!.patch!.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/api/v1/calls/{callSid}']!.get!.responses)).toContain('404');
  });
});
