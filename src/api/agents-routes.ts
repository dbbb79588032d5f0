// /api/v1/agents and /api/v1/departments: the directory the transfers ring, as the dashboard's Agents
// page edits it. Everyone signed in may read it (who can take a call now, and why not); admins
// edit it, unless AGENTS_FILE manages it (then 409: the file is the one place to edit). Live status
// is not part of the file: an admin sets anyone's, an agent user their own directory agent's.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  agentSchema,
  departmentSchema,
  normaliseName,
  toAgentDefinition,
  toDepartmentDefinition,
} from '../routing/directory-schema.js';
import { describeDirectory, type AgentView } from '../routing/directory-view.js';
import { AGENT_STATUSES, type AgentDefinition, type DirectoryStore } from '../store/directory-store.js';
import { ApiError } from './errors.js';
import { routeSchema } from './openapi.js';
import { principalOf, requireRole } from './principal.js';
import { parseBody, parseInput, parseParams } from './validate.js';

export interface AgentRoutesDeps {
  store: DirectoryStore;
  /** Set when AGENTS_FILE manages the directory: edits are refused, live status still works. */
  agentsFile: string | undefined;
  now?: () => Date;
}

const idParam = z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'is not an agent or department id') });
const statusBody = z.strictObject({ status: z.enum(AGENT_STATUSES as [string, ...string[]]) });
const agentPatch = agentSchema.omit({ id: true }).partial();
const agentKeys = Object.keys(agentPatch.shape);

const localTime = z.object({ date: z.string(), weekday: z.number(), minute: z.number() });
const departmentView = z.object({
  id: z.string(),
  strategy: z.string(),
  ringSeconds: z.number(),
  hours: z.record(z.string(), z.unknown()).nullable(),
  hoursText: z.string(),
  closed: z.array(z.string()),
  now: z.string(),
});
const agentView = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string(),
  departments: z.array(z.string()),
  languages: z.array(z.string()),
  skills: z.array(z.string()),
  priority: z.number(),
  maxCalls: z.number(),
  hours: z.record(z.string(), z.unknown()).nullable(),
  hoursText: z.string(),
  status: z.enum(AGENT_STATUSES as [string, ...string[]]),
  definedStatus: z.string(),
  statusSetAt: z.string().nullable(),
  liveCalls: z.number(),
  eligibleNow: z.boolean(),
  whyNot: z.string().nullable(),
});
const directoryAnswer = z.object({
  source: z.enum(['file', 'store']).nullable(),
  readOnly: z.boolean(),
  timezone: z.string(),
  localTime,
  departments: z.array(departmentView),
  agents: z.array(agentView),
});
const agentAnswer = z.object({ agent: agentView, readOnly: z.boolean() });

export async function agentRoutes(scope: FastifyInstance, deps: AgentRoutesDeps): Promise<void> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const readOnly = deps.agentsFile !== undefined;
  const tags = ['agents'];
  const admin = requireRole('admin');

  const editable = () => {
    if (readOnly)
      throw new ApiError(
        'CONFLICT',
        'AGENTS_FILE manages the directory: edit that file (it is re-read on change); live status can still be set',
      );
  };
  /** The first edit through the API makes an unconfigured directory store-managed. */
  const edited = () => store.setDirectoryMeta({ source: 'store' }, now());
  const view = async (id: string): Promise<AgentView> => {
    const agent = (await describeDirectory(store, now)).agents.find((a) => a.id === id);
    if (!agent) throw new ApiError('NOT_FOUND', `no agent "${id}" in the directory`, 'id');
    return agent;
  };
  /** The directory rules a file check applies (crossCheck), for one agent against the rest. */
  const checkAgainstDirectory = async (agent: AgentDefinition) => {
    const dir = await store.getDirectory();
    const known = dir.departments.map((d) => d.id);
    const missing = agent.departments.find((d) => !known.includes(d));
    if (missing !== undefined)
      throw new ApiError(
        'BAD_REQUEST',
        `departments: no department "${missing}" (known: ${known.join(', ') || 'none; create one first'})`,
        'departments',
      );
    const sameName = dir.agents.find(
      (a) => a.id !== agent.id && normaliseName(a.name) === normaliseName(agent.name),
    );
    if (sameName)
      throw new ApiError(
        'CONFLICT',
        `name: agent "${sameName.id}" has the same name; callers ask for people by name`,
        'name',
      );
  };

  scope.get(
    '/agents',
    {
      schema: routeSchema({
        summary: 'The directory: departments, agents, who can take a call now',
        tags,
        responses: { 200: directoryAnswer },
      }),
    },
    async () => ({ ...(await describeDirectory(store, now)), readOnly }),
  );

  scope.get(
    '/agents/:id',
    {
      schema: routeSchema({
        summary: 'One agent, with why they cannot take a call now',
        tags,
        params: idParam,
        responses: { 200: agentAnswer },
      }),
    },
    async (request) => ({ agent: await view(parseParams(idParam, request).id), readOnly }),
  );

  scope.post(
    '/agents',
    {
      onRequest: admin,
      schema: routeSchema({
        summary: 'Add an agent (not with AGENTS_FILE)',
        tags,
        body: agentSchema,
        responses: { 201: agentAnswer },
        errors: { 409: 'the id or name is taken, or AGENTS_FILE manages the directory' },
      }),
    },
    async (request, reply) => {
      editable();
      const agent = toAgentDefinition(parseBody(agentSchema, request));
      if ((await store.getDirectory()).agents.some((a) => a.id === agent.id))
        throw new ApiError('CONFLICT', `id: an agent "${agent.id}" exists already; PATCH it`, 'id');
      await checkAgainstDirectory(agent);
      await store.upsertAgent(agent, now());
      await edited();
      request.log.info({ agentId: agent.id }, 'AGENT_SAVED');
      return reply.code(201).send({ agent: await view(agent.id), readOnly });
    },
  );

  scope.patch(
    '/agents/:id',
    {
      onRequest: admin,
      schema: routeSchema({
        summary: 'Change an agent (not with AGENTS_FILE)',
        tags,
        params: idParam,
        body: agentPatch,
        responses: { 200: agentAnswer },
      }),
    },
    async (request) => {
      editable();
      const { id } = parseParams(idParam, request);
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0)
        throw new ApiError('BAD_REQUEST', `body: send one or more of ${agentKeys.join(', ')}`, 'body');
      const unknown = Object.keys(body).find((k) => !agentKeys.includes(k));
      if (unknown !== undefined)
        throw new ApiError('BAD_REQUEST', `${unknown}: is not a field of an agent`, unknown);
      const existing = (await store.getDirectory()).agents.find((a) => a.id === id);
      if (!existing) throw new ApiError('NOT_FOUND', `no agent "${id}" in the directory`, 'id');
      const { liveStatus: _live, statusSetAt: _at, hours, ...definition } = existing;
      const current = hours === null ? definition : { ...definition, hours };
      // The whole agent is validated again, so a change is held to the same rules as a new one.
      const agent = toAgentDefinition(
        parseInput(agentSchema, { ...current, ...(body as object), id }, 'body'),
      );
      await checkAgainstDirectory(agent);
      await store.upsertAgent(agent, now());
      await edited();
      request.log.info({ agentId: id, fields: Object.keys(body) }, 'AGENT_SAVED');
      return { agent: await view(id), readOnly };
    },
  );

  scope.delete(
    '/agents/:id',
    {
      onRequest: admin,
      schema: routeSchema({
        summary: 'Remove an agent (not with AGENTS_FILE)',
        tags,
        params: idParam,
        responses: { 204: null },
      }),
    },
    async (request, reply) => {
      editable();
      const { id } = parseParams(idParam, request);
      if (!(await store.deleteAgent(id)))
        throw new ApiError('NOT_FOUND', `no agent "${id}" in the directory`, 'id');
      await edited();
      request.log.info({ agentId: id }, 'AGENT_DELETED');
      return reply.code(204).send();
    },
  );

  scope.patch(
    '/agents/:id/status',
    {
      schema: routeSchema({
        summary: "Set an agent's live status (admins: anyone; agent users: their own)",
        tags,
        params: idParam,
        body: statusBody,
        responses: { 200: agentAnswer },
      }),
    },
    async (request) => {
      const { id } = parseParams(idParam, request);
      const principal = principalOf(request);
      if (principal.role !== 'admin' && (principal.kind !== 'session' || principal.user.agentId !== id))
        throw new ApiError('FORBIDDEN', 'agent users set only their own status');
      const { status } = parseBody(statusBody, request);
      if (!(await store.setAgentStatus(id, status as (typeof AGENT_STATUSES)[number], now())))
        throw new ApiError('NOT_FOUND', `no agent "${id}" in the directory`, 'id');
      request.log.info({ agentId: id, status }, 'AGENT_STATUS_SET');
      return { agent: await view(id), readOnly };
    },
  );

  scope.put(
    '/departments/:id',
    {
      onRequest: admin,
      schema: routeSchema({
        summary: 'Create or replace a department (not with AGENTS_FILE)',
        tags,
        params: idParam,
        body: departmentSchema,
        responses: { 200: z.object({ department: departmentView }) },
      }),
    },
    async (request) => {
      editable();
      const { id } = parseParams(idParam, request);
      await store.upsertDepartment(toDepartmentDefinition(id, parseBody(departmentSchema, request)), now());
      await edited();
      request.log.info({ department: id }, 'DEPARTMENT_SAVED');
      const department = (await describeDirectory(store, now)).departments.find((d) => d.id === id)!;
      return { department };
    },
  );

  scope.delete(
    '/departments/:id',
    {
      onRequest: admin,
      schema: routeSchema({
        summary: 'Remove a department no agent is in',
        tags,
        params: idParam,
        responses: { 204: null },
      }),
    },
    async (request, reply) => {
      editable();
      const { id } = parseParams(idParam, request);
      const members = (await store.getDirectory()).agents.filter((a) => a.departments.includes(id));
      if (members.length > 0)
        throw new ApiError(
          'CONFLICT',
          `agents ${members.map((a) => a.id).join(', ')} are in "${id}": move them first`,
          'id',
        );
      if (!(await store.deleteDepartment(id))) throw new ApiError('NOT_FOUND', `no department "${id}"`, 'id');
      await edited();
      request.log.info({ department: id }, 'DEPARTMENT_DELETED');
      return reply.code(204).send();
    },
  );
}
