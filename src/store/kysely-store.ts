// The Store over Kysely, for SQLite and PostgreSQL alike: KyselyCallStore (kysely-call-store.ts)
// with the agent directory, access (users, keys, sessions), security, transfers, the CRM's reads
// and outbox, and the jobs. Owns the Kysely handle it is given (close() destroys it).
import * as agentLegs from './sql/agent-legs.js';
import * as directory from './sql/directory.js';
import * as security from './sql/security.js';
import * as users from './sql/users.js';
import * as apiKeys from './sql/api-keys.js';
import * as sessions from './sql/sessions.js';
import type {
  ApiKeyRecord,
  NewApiKey,
  NewUser,
  SessionRecord,
  UserChange,
  UserPatch,
  UserRecord,
} from './auth-store.js';
import * as transfers from './sql/transfers.js';
import * as crmCalls from './sql/crm-calls.js';
import * as crmContacts from './sql/crm-contacts.js';
import * as crmLeads from './sql/crm-leads.js';
import * as crmOutbox from './sql/crm-outbox.js';
import * as crmStats from './sql/crm-stats.js';
import * as streamErrors from './sql/stream-errors.js';
import * as jobs from './sql/jobs.js';
import type { JobItem, JobKind, JobSweep, RecordingTranscript } from './job-store.js';
import type * as crm from './crm-store.js';
import type { RecordingRecord, Store, StreamRecord } from './store.js';
import type {
  AgentDefinition,
  AgentLeg,
  AgentLoad,
  AgentStatus,
  DepartmentDefinition,
  DirectoryChanges,
  DirectorySnapshot,
  DirectorySource,
  ReserveAgentInput,
  StoredDirectory,
} from './directory-store.js';
import type { NewTransfer, TransferPatch, TransferRecord } from './transfer-store.js';
import { KyselyCallStore } from './kysely-call-store.js';

export type { KyselyStoreOptions } from './kysely-call-store.js';

export class KyselyStore extends KyselyCallStore implements Store {
  // --- directory ---
  replaceDirectory(
    snapshot: DirectorySnapshot,
    source: DirectorySource,
    at: Date,
  ): Promise<DirectoryChanges> {
    return this.run('replaceDirectory', (db) => directory.replaceDirectory(db, snapshot, source, at));
  }
  getDirectory(): Promise<StoredDirectory> {
    return this.run('getDirectory', (db) => directory.getDirectory(db));
  }
  setDirectoryMeta(meta: { source?: DirectorySource; timezone?: string }, at: Date): Promise<void> {
    return this.run('setDirectoryMeta', (db) => directory.setDirectoryMeta(db, meta, at));
  }
  upsertDepartment(department: DepartmentDefinition, at: Date): Promise<void> {
    return this.run('upsertDepartment', (db) => directory.upsertDepartment(db, department, at));
  }
  deleteDepartment(id: string): Promise<boolean> {
    return this.run('deleteDepartment', (db) => directory.deleteDepartment(db, id));
  }
  upsertAgent(agent: AgentDefinition, at: Date): Promise<void> {
    return this.run('upsertAgent', (db) => directory.upsertAgent(db, agent, at));
  }
  deleteAgent(id: string): Promise<boolean> {
    return this.run('deleteAgent', (db) => directory.deleteAgent(db, id));
  }
  setAgentStatus(agentId: string, status: AgentStatus, at: Date): Promise<boolean> {
    return this.run('setAgentStatus', (db) => directory.setAgentStatus(db, agentId, status, at));
  }
  reserveAgent(input: ReserveAgentInput): Promise<boolean> {
    return this.run('reserveAgent', (db) => agentLegs.reserveAgent(db, input));
  }
  releaseAgent(callSid: string, opts: { agentId?: string; outcome: string; at: Date }): Promise<number> {
    return this.run('releaseAgent', (db) => agentLegs.releaseAgent(db, callSid, opts));
  }
  markAgentAnswered(callSid: string, agentId: string, at: Date): Promise<boolean> {
    return this.run('markAgentAnswered', (db) => agentLegs.markAgentAnswered(db, callSid, agentId, at));
  }
  agentLoads(opts: { answeredSince: Date; at: Date }): Promise<Map<string, AgentLoad>> {
    return this.run('agentLoads', (db) => agentLegs.agentLoads(db, opts));
  }
  listAgentLegs(callSid: string): Promise<AgentLeg[]> {
    return this.run('listAgentLegs', (db) => agentLegs.listAgentLegs(db, callSid));
  }
  getCallAgent(callSid: string): Promise<string | undefined> {
    return this.run('getCallAgent', (db) => agentLegs.getCallAgent(db, callSid));
  }
  lastAgentForPhone(phone: string, since: Date): Promise<string | undefined> {
    return this.run('lastAgentForPhone', (db) => agentLegs.lastAgentForPhone(db, phone, since));
  }
  // --- auth ---
  countUsers(): Promise<number> {
    return this.run('countUsers', (db) => users.countUsers(db));
  }
  createUser(user: NewUser): Promise<UserRecord | undefined> {
    return this.run('createUser', (db) => users.createUser(db, user));
  }
  getUserById(id: number): Promise<UserRecord | undefined> {
    return this.run('getUserById', (db) => users.getUserById(db, id));
  }
  getUserByUsername(username: string): Promise<UserRecord | undefined> {
    return this.run('getUserByUsername', (db) => users.getUserByUsername(db, username));
  }
  listUsers(): Promise<UserRecord[]> {
    return this.run('listUsers', (db) => users.listUsers(db));
  }
  updateUser(id: number, patch: UserPatch): Promise<UserChange> {
    return this.run('updateUser', (db) => users.updateUser(db, this.dialect, id, patch));
  }
  deleteUser(id: number): Promise<'deleted' | 'not-found' | 'last-admin'> {
    return this.run('deleteUser', (db) => users.deleteUser(db, this.dialect, id));
  }
  createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    return this.run('createApiKey', (db) => apiKeys.createApiKey(db, key));
  }
  getApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined> {
    return this.run('getApiKeyByHash', (db) => apiKeys.getApiKeyByHash(db, secretHash));
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.run('listApiKeys', (db) => apiKeys.listApiKeys(db));
  }
  revokeApiKey(id: number, at: Date): Promise<'revoked' | 'not-found'> {
    return this.run('revokeApiKey', (db) => apiKeys.revokeApiKey(db, id, at));
  }
  touchApiKey(id: number, at: Date): Promise<void> {
    return this.run('touchApiKey', (db) => apiKeys.touchApiKey(db, id, at));
  }
  saveSession(session: SessionRecord): Promise<void> {
    return this.run('saveSession', (db) => sessions.saveSession(db, session));
  }
  getSession(sidHash: string, now: Date): Promise<SessionRecord | undefined> {
    return this.run('getSession', (db) => sessions.getSession(db, sidHash, now));
  }
  deleteSession(sidHash: string): Promise<void> {
    return this.run('deleteSession', (db) => sessions.deleteSession(db, sidHash));
  }
  deleteUserSessions(userId: number, exceptSidHash?: string): Promise<number> {
    return this.run('deleteUserSessions', (db) => sessions.deleteUserSessions(db, userId, exceptSidHash));
  }
  deleteExpiredSessions(now: Date): Promise<number> {
    return this.run('deleteExpiredSessions', (db) => sessions.deleteExpiredSessions(db, now));
  }
  // --- security ---
  async markCallSigned(callSid: string): Promise<void> {
    await this.run('markCallSigned', (db) => security.markCallSigned(db, callSid));
  }
  claimSignedStream(callSid: string, at: Date): Promise<boolean> {
    return this.run('claimSignedStream', (db) => security.claimSignedStream(db, callSid, at));
  }
  reclaimStream(callSid: string, previous: Date, at: Date, signedOnly: boolean): Promise<boolean> {
    return this.run('reclaimStream', (db) => security.reclaimStream(db, callSid, previous, at, signedOnly));
  }

  // --- transfer ---
  saveTransfer(transfer: NewTransfer): Promise<void> {
    return this.run('saveTransfer', (db) => transfers.saveTransfer(db, transfer));
  }
  getTransfer(callSid: string): Promise<TransferRecord | undefined> {
    return this.run('getTransfer', (db) => transfers.getTransfer(db, callSid));
  }
  takeDialStatus(callSid: string, attempt: number, at: Date): Promise<boolean> {
    return this.run('takeDialStatus', (db) => transfers.takeDialStatus(db, callSid, attempt, at));
  }
  updateTransfer(callSid: string, patch: TransferPatch, at: Date): Promise<void> {
    return this.run('updateTransfer', (db) => transfers.updateTransfer(db, callSid, patch, at));
  }
  acceptTransfer(callSid: string, attempt: number, agentId: string, at: Date): Promise<boolean> {
    return this.run('acceptTransfer', (db) => transfers.acceptTransfer(db, callSid, attempt, agentId, at));
  }
  // --- crm ---
  listCrmCalls(
    filter: crm.CallFilter,
    page: { limit?: number; after?: crm.CallCursor },
  ): Promise<crm.Page<crm.CrmCall, crm.CallCursor>> {
    return this.run('listCrmCalls', (db) => crmCalls.listCrmCalls(db, this.dialect, filter, page));
  }
  getCrmCall(callSid: string): Promise<crm.CrmCall | undefined> {
    return this.run('getCrmCall', (db) => crmCalls.getCrmCall(db, callSid));
  }
  listStreams(callSid: string): Promise<StreamRecord[]> {
    return this.run('listStreams', (db) => crmCalls.listStreams(db, callSid));
  }
  getRecording(recordingSid: string): Promise<RecordingRecord | undefined> {
    return this.run('getRecording', (db) => crmCalls.getRecording(db, recordingSid));
  }
  setCallTest(callSid: string, isTest: boolean): Promise<void> {
    return this.run('setCallTest', (db) => crmCalls.setCallMark(db, callSid, { is_test: isTest ? 1 : 0 }));
  }
  listContacts(
    filter: crm.ContactFilter,
    page: { limit?: number; after?: number },
  ): Promise<crm.Page<crm.CrmContact, number>> {
    return this.run('listContacts', (db) => crmContacts.listContacts(db, this.dialect, filter, page));
  }
  getCrmContact(id: number): Promise<crm.CrmContact | undefined> {
    return this.run('getCrmContact', (db) => crmContacts.getCrmContact(db, id));
  }
  patchContact(id: number, patch: crm.ContactPatch): Promise<crm.CrmContact | undefined> {
    return this.run('patchContact', (db) => crmContacts.patchContact(db, id, patch));
  }
  listLeads(
    filter: crm.LeadFilter,
    page: { limit?: number; after?: crm.LeadCursor },
  ): Promise<crm.Page<crm.CrmLead, crm.LeadCursor>> {
    return this.run('listLeads', (db) => crmLeads.listLeads(db, this.dialect, filter, page));
  }
  getCrmLead(id: number): Promise<crm.CrmLead | undefined> {
    return this.run('getCrmLead', (db) => crmLeads.getCrmLead(db, id));
  }
  patchLead(id: number, patch: crm.LeadPatch, at: Date): Promise<crm.CrmLead | undefined> {
    return this.run('patchLead', (db) => crmLeads.patchLead(db, id, patch, at));
  }
  callStats(range: { from: Date; to: Date; segments: crm.OffsetSegment[] }): Promise<crm.CallStats> {
    return this.run('callStats', (db) => crmStats.callStats(db, range));
  }
  recentStreamErrors(limit: number): Promise<crm.StreamErrorRecord[]> {
    return this.run('recentStreamErrors', (db) => streamErrors.recentStreamErrors(db, limit));
  }
  enqueueCompletedCalls(sweep: crm.CompletedCallSweep): Promise<number> {
    return this.run('enqueueCompletedCalls', (db) => crmOutbox.enqueueCompletedCalls(db, sweep));
  }
  claimOutbox(opts: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<crm.OutboxItem[]> {
    return this.run('claimOutbox', (db) => crmOutbox.claimOutbox(db, opts));
  }
  freezeOutboxPayload(id: number, payload: string): Promise<string> {
    return this.run('freezeOutboxPayload', (db) => crmOutbox.freezeOutboxPayload(db, id, payload));
  }
  markOutboxDelivered(id: number, owner: string, at: Date): Promise<boolean> {
    return this.run('markOutboxDelivered', (db) => crmOutbox.markOutboxDelivered(db, id, owner, at));
  }
  markOutboxFailed(
    id: number,
    owner: string,
    failure: { error: string; retryAt: Date | null; at: Date },
  ): Promise<boolean> {
    return this.run('markOutboxFailed', (db) => crmOutbox.markOutboxFailed(db, id, owner, failure));
  }
  getOutboxItem(eventKey: string): Promise<crm.OutboxItem | undefined> {
    return this.run('getOutboxItem', (db) => crmOutbox.getOutboxItem(db, eventKey));
  }
  // --- jobs ---
  enqueueDueJobs(sweep: JobSweep): Promise<number> {
    return this.run('enqueueDueJobs', (db) => jobs.enqueueDueJobs(db, sweep));
  }
  claimJobs(opts: {
    owner: string;
    now: Date;
    leaseMs: number;
    limit: number;
    kinds: readonly JobKind[];
  }): Promise<JobItem[]> {
    return this.run('claimJobs', (db) => jobs.claimJobs(db, opts));
  }
  markJobDone(id: number, owner: string, at: Date): Promise<boolean> {
    return this.run('markJobDone', (db) => jobs.markJobDone(db, id, owner, at));
  }
  markJobFailed(
    id: number,
    owner: string,
    failure: { error: string; retryAt: Date | null; at: Date },
  ): Promise<boolean> {
    return this.run('markJobFailed', (db) => jobs.markJobFailed(db, id, owner, failure));
  }
  getJob(jobKey: string): Promise<JobItem | undefined> {
    return this.run('getJob', (db) => jobs.getJob(db, jobKey));
  }
  listJobsForCall(callSid: string): Promise<JobItem[]> {
    return this.run('listJobsForCall', (db) => jobs.listJobsForCall(db, callSid));
  }
  saveRecordingTranscript(t: RecordingTranscript): Promise<boolean> {
    return this.run('saveRecordingTranscript', (db) => jobs.saveRecordingTranscript(db, t));
  }
  setCallSummaryIfEmpty(callSid: string, summary: string): Promise<boolean> {
    return this.run('setCallSummaryIfEmpty', (db) => jobs.setCallSummaryIfEmpty(db, callSid, summary));
  }
}
