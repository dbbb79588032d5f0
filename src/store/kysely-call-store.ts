// The Store over Kysely, for SQLite and PostgreSQL alike: the base every part of it shares (the
// handle, errors, migrations, close) and the calls' own records. KyselyStore (kysely-store.ts) adds
// the directory, access, transfers, the CRM and jobs. Every database failure surfaces as
// AppError('STORE_FAILED').
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { migrateToLatest } from './migrations.js';
import type { Database, StoreDialect } from './schema.js';
import * as calls from './sql/calls.js';
import * as contacts from './sql/contacts.js';
import * as leads from './sql/leads.js';
import * as recordings from './sql/recordings.js';
import * as timeline from './sql/timeline.js';
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
  StreamClose,
  StreamOpen,
  StreamRecord,
  TranscriptTurn,
  TranscriptTurnInput,
} from './store.js';

export interface KyselyStoreOptions {
  dialect: StoreDialect;
  log?: Logger;
}

/** The calls' own records: contacts, calls, statuses, the timeline, streams, transcripts, recordings, leads. */
export class KyselyCallStore {
  readonly dialect: StoreDialect;
  protected readonly log: Logger | undefined;
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
  protected async run<T>(op: string, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
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
}
