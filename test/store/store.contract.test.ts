// The Store contract, run against every backend: SQLite always, PostgreSQL with TEST_DATABASE_URL.
import { describe } from 'vitest';
import { describeEachStore } from '../support/databases.js';
import { authContract } from './contract/auth.js';
import { callStatusContract } from './contract/call-status.js';
import { contactsAndCallsContract } from './contract/contacts-calls.js';
import { directoryContract } from './contract/directory.js';
import { crmContract } from './contract/crm.js';
import { leadsContract } from './contract/leads.js';
import { lifecycleContract } from './contract/lifecycle.js';
import { securityContract } from './contract/security.js';
import { streamErrorsContract } from './contract/stream-errors.js';
import { handoverContract } from './contract/handover.js';
import { timelineContract } from './contract/timeline.js';
import { transferContract } from './contract/transfer.js';

describeEachStore('Store contract', (target) => {
  describe('contacts and calls', () => contactsAndCallsContract(target));
  describe('call status and stream claim', () => callStatusContract(target));
  describe('events, streams, transcripts and recordings', () => timelineContract(target));
  describe('leads', () => leadsContract(target));
  describe('lifecycle and durability', () => lifecycleContract(target));
  describe('agent directory and legs', () => directoryContract(target));
  describe('users, API keys and sessions', () => authContract(target));
  describe('security: signed incoming_call, signed stream claim', () => securityContract(target));
  describe('handover: the claim moves to the new stream', () => handoverContract(target));
  describe('transfers', () => transferContract(target));
  describe('crm', () => crmContract(target));
  describe('stream errors', () => streamErrorsContract(target));
});
