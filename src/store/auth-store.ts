// The store's part for access: users (scrypt hashes, roles), API keys (hashed secrets) and the
// sessions @fastify/session keeps here, so any instance sharing the database can serve them.

export type Role = 'admin' | 'agent';

export interface UserRecord {
  id: number;
  /** Lower-case, unique. */
  username: string;
  role: Role;
  /** The directory agent this user answers as, when linked (agents see the calls they took). */
  agentId: string | null;
  /** PHC-style scrypt string: `$scrypt$ln=…,r=…,p=…$<salt>$<hash>` (salt and params per user). */
  passwordHash: string;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  role: Role;
  agentId?: string | null;
  passwordHash: string;
  at: Date;
}

/** Fields an admin may change; absent = unchanged. */
export interface UserPatch {
  role?: Role;
  agentId?: string | null;
  passwordHash?: string;
  /** true disables (sessions of the user stop working), false re-enables. */
  disabled?: boolean;
  at: Date;
}

/** last-admin: the change would leave no enabled admin, so it was refused. */
export type UserChange =
  { result: 'ok'; user: UserRecord } | { result: 'not-found' } | { result: 'last-admin' };

export interface ApiKeyRecord {
  id: number;
  name: string;
  /** The first characters of the key, for people to tell keys apart (`al_Xy12ab…`). */
  prefix: string;
  /** The admin who created it; null when created by the CLI or the user was deleted. */
  createdBy: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  secretHash: string;
  createdBy: number | null;
  at: Date;
}

export interface SessionRecord {
  /** SHA-256 of the session id, hex: a database dump does not hand out live sessions. */
  sidHash: string;
  userId: number;
  data: Record<string, unknown>;
  expiresAt: Date;
}

export interface AuthStore {
  countUsers(): Promise<number>;
  /** undefined when the username is taken (race-safe: the unique index decides). */
  createUser(user: NewUser): Promise<UserRecord | undefined>;
  getUserById(id: number): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Oldest first. */
  listUsers(): Promise<UserRecord[]>;
  /** Refuses (last-admin) to leave no enabled admin, atomically against concurrent changes. */
  updateUser(id: number, patch: UserPatch): Promise<UserChange>;
  /** Refuses (last-admin) to delete the only enabled admin; the user's sessions go with it. */
  deleteUser(id: number): Promise<'deleted' | 'not-found' | 'last-admin'>;

  createApiKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Revoked keys are returned too (with revokedAt), so callers can say why a key fails. */
  getApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined>;
  /** Newest first, revoked included. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** not-found for an unknown id; revoking twice keeps the first revocation time. */
  revokeApiKey(id: number, at: Date): Promise<'revoked' | 'not-found'>;
  touchApiKey(id: number, at: Date): Promise<void>;

  /** Insert or replace the session with this sid hash. */
  saveSession(session: SessionRecord): Promise<void>;
  /** undefined when unknown or expired at `now`. */
  getSession(sidHash: string, now: Date): Promise<SessionRecord | undefined>;
  deleteSession(sidHash: string): Promise<void>;
  /** Ends every session of a user (password changed, disabled), except one if given. */
  deleteUserSessions(userId: number, exceptSidHash?: string): Promise<number>;
  deleteExpiredSessions(now: Date): Promise<number>;
}
