// Badges for a call's Twilio status, its outcome and a lead's stage, in the page's language.
import { useI18n } from '../i18n/i18n.js';
import { Badge, type Tone } from './ui.js';
import type { CallOutcome, CallStatus, LeadStatus } from '../api/types.js';

const STATUS_TONE: Record<CallStatus, Tone> = {
  queued: 'neutral',
  initiated: 'neutral',
  ringing: 'info',
  'in-progress': 'info',
  completed: 'ok',
  busy: 'warn',
  failed: 'bad',
  'no-answer': 'warn',
  canceled: 'neutral',
};

const OUTCOME_TONE: Record<CallOutcome, Tone> = {
  live: 'info',
  answered: 'ok',
  transferred: 'ok',
  voicemail: 'warn',
  abandoned: 'bad',
};

const LEAD_TONE: Record<LeadStatus, Tone> = {
  new: 'info',
  contacted: 'neutral',
  qualified: 'warn',
  won: 'ok',
  lost: 'bad',
};

export function CallStatusBadge({ status }: { status: CallStatus }) {
  const { t } = useI18n();
  return <Badge tone={STATUS_TONE[status] ?? 'neutral'}>{t.callStatus[status] ?? status}</Badge>;
}

export function OutcomeBadge({ outcome }: { outcome: CallOutcome }) {
  const { t } = useI18n();
  return <Badge tone={OUTCOME_TONE[outcome] ?? 'neutral'}>{t.outcome[outcome] ?? outcome}</Badge>;
}

export function LeadBadge({ status }: { status: LeadStatus }) {
  const { t } = useI18n();
  return <Badge tone={LEAD_TONE[status] ?? 'neutral'}>{t.leadStatus[status] ?? status}</Badge>;
}
