// The Store over Kysely, for SQLite and PostgreSQL alike. Owns the Kysely handle it is given
// (close() destroys it). Every database failure surfaces as AppError('STORE_FAILED').
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { migrateToLatest } from './migrations.js';
import type { Database, StoreDialect } from './schema.js';
import * as calls from './sql/calls.js';
import * as contacts from './sql/contacts.js';
import * as agentLegs from './sql/agent-legs.js';
import * as directory from './sql/directory.js';
import * as leads from './sql/leads.js';
import * as recordings from './sql/recordings.js';
import * as security from './sql/security.js';
import * as timeline from './sql/timeline.js';
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
import type * as crm from './crm-store.js';
import type {
  CallEvent,
  CallEventInput,
  CallRecord,
  Contact,
  LeadInput,
  LeadRecord,
  RecordingInput,
  RecordingRecord,
  StartCallInput,
  StatusResult,
  StatusUpdate,
  Store,
  StreamClose,
  StreamOpen,
  StreamRecord,
  TranscriptTurn,
  TranscriptTurnInput,
} from './store.js';
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

export interface KyselyStoreOptions {
  dialect: StoreDialect;
  log?: Logger;
}

export class KyselyStore implements Store {
  readonly dialect: StoreDialect;
  private readonly log: Logger | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    /** Exposed for tests and tools that need raw SQL; the Store methods are the contract. */
    readonly db: Kysely<Database>,
    opts: KyselyStoreOptions,
  ) {
    this.dialect = opts.dialect;
    this.log = opts.log;
  }

  /** Runs one operation; our own AppErrors pass through, anything from the driver is wrapped. */
  private async run<T>(op: string, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.closing) throw new AppError('STORE_FAILED', `${op}: the store is closed`);
    try {
      return await fn(this.db);
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new AppError('STORE_FAILED', `${op}: ${message}`, { cause: err });
    }
  }

  async migrate(): Promise<void> {
    await this.run('migrate', (db) =>
      migrateToLatest(db as unknown as Kysely<unknown>, this.dialect, this.log),
    );
  }

  async ping(): Promise<void> {
    await this.run('ping', (db) => sql`select 1`.execute(db));
  }

  /** Idempotent; waits for in-flight queries on PostgreSQL (pool.end) before resolving. */
  close(): Promise<void> {
    this.closing ??= this.db.destroy().catch((err: unknown) => {
      this.log?.warn({ err }, 'store did not close cleanly');
    });
    return this.closing;
  }

  upsertContact(phone: string, at: Date): Promise<Contact> {
    return this.run('upsertContact', (db) => contacts.upsertContact(db, phone, at));
  }
  getContactByPhone(phone: string): Promise<Contact | undefined> {
    return this.run('getContactByPhone', (db) => contacts.getContactByPhone(db, phone));
  }

  startCall(input: StartCallInput): Promise<{ call: CallRecord; created: boolean }> {
    return this.run('startCall', (db) => calls.startCall(db, input));
  }
  getCall(callSid: string): Promise<CallRecord | undefined> {
    return this.run('getCall', (db) => calls.getCall(db, callSid));
  }
  listCalls(opts?: { limit?: number; before?: Date }): Promise<CallRecord[]> {
    return this.run('listCalls', (db) => calls.listCalls(db, opts));
  }
  applyCallStatus(update: StatusUpdate): Promise<StatusResult> {
    return this.run('applyCallStatus', (db) => calls.applyCallStatus(db, update));
  }
  async setCallOutcome(callSid: string, outcome: string): Promise<void> {
    await this.run('setCallOutcome', (db) => calls.setCallText(db, callSid, 'outcome', outcome));
  }
  claimStream(callSid: string, at: Date): Promise<boolean> {
    return this.run('claimStream', (db) => calls.claimStream(db, callSid, at));
  }
  listCallsForContact(contactId: number, limit?: number): Promise<CallRecord[]> {
    return this.run('listCallsForContact', (db) => calls.listCallsForContact(db, contactId, limit));
  }
  async setCallSummary(callSid: string, summary: string): Promise<void> {
    await this.run('setCallSummary', (db) => calls.setCallText(db, callSid, 'summary', summary));
  }

  addCallEvent(event: CallEventInput): Promise<boolean> {
    return this.run('addCallEvent', (db) => timeline.addCallEvent(db, event));
  }
  listCallEvents(callSid: string): Promise<CallEvent[]> {
    return this.run('listCallEvents', (db) => timeline.listCallEvents(db, callSid));
  }
  openStream(stream: StreamOpen): Promise<void> {
    return this.run('openStream', (db) => timeline.openStream(db, stream));
  }
  closeStream(stream: StreamClose): Promise<void> {
    return this.run('closeStream', (db) => timeline.closeStream(db, stream));
  }
  getStream(streamSid: string): Promise<StreamRecord | undefined> {
    return this.run('getStream', (db) => timeline.getStream(db, streamSid));
  }
  addTranscriptTurn(turn: TranscriptTurnInput): Promise<void> {
    return this.run('addTranscriptTurn', (db) => timeline.addTranscriptTurn(db, turn));
  }
  listTranscript(callSid: string): Promise<TranscriptTurn[]> {
    return this.run('listTranscript', (db) => timeline.listTranscript(db, callSid));
  }

  upsertRecording(recording: RecordingInput): Promise<void> {
    return this.run('upsertRecording', (db) => recordings.upsertRecording(db, recording));
  }
  listRecordings(callSid: string): Promise<RecordingRecord[]> {
    return this.run('listRecordings', (db) => recordings.listRecordings(db, callSid));
  }

  saveLead(lead: LeadInput): Promise<LeadRecord> {
    return this.run('saveLead', (db) => leads.saveLead(db, lead));
  }
  listLeadsForContact(contactId: number): Promise<LeadRecord[]> {
    return this.run('listLeadsForContact', (db) => leads.listLeadsForContact(db, contactId));
  }
  getLeadForCall(callSid: string): Promise<LeadRecord | undefined> {
    return this.run('getLeadForCall', (db) => leads.getLeadForCall(db, callSid));
  }

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
}
