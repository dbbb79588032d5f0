// A lead's stage, assignee and notes, saved with PATCH /leads/:id as they change (the stage at
// once, the text fields when they lose focus), with what the caller left in its fields.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { LEAD_STATUSES, type LeadStatus, type LeadView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorNote, Phone } from './ui.js';

type Patch = Partial<Pick<LeadView, 'status' | 'assignee' | 'notes'>>;

export function useLeadSaver(lead: LeadView, onSaved: (lead: LeadView) => void) {
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const save = async (patch: Patch) => {
    setSaving(true);
    setError(undefined);
    try {
      onSaved(await api.patch<LeadView>(`/leads/${lead.id}`, patch));
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  return { save, error, saving };
}

export function LeadStatusSelect({ lead, onSaved }: { lead: LeadView; onSaved: (lead: LeadView) => void }) {
  const { t } = useI18n();
  const { save, error, saving } = useLeadSaver(lead, onSaved);
  return (
    <>
      <select
        class={`lead-status lead-${lead.status}`}
        aria-label={t.leads.status}
        data-testid="lead-status"
        value={lead.status}
        disabled={saving}
        onChange={(e) => void save({ status: e.currentTarget.value as LeadStatus })}
      >
        {LEAD_STATUSES.map((s) => (
          <option key={s} value={s}>
            {t.leadStatus[s]}
          </option>
        ))}
      </select>
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </>
  );
}

/** A text input saved on blur or Enter when it changed; null for an emptied field. */
export function SavedText({
  value,
  label,
  multiline = false,
  onSave,
}: {
  value: string | null;
  label: string;
  multiline?: boolean;
  onSave: (value: string | null) => void;
}) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const commit = () => {
    const next = text.trim() === '' ? null : text.trim();
    if (next !== (value ?? null)) onSave(next);
  };
  return multiline ? (
    <textarea
      aria-label={label}
      value={text}
      rows={2}
      onInput={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
    />
  ) : (
    <input
      aria-label={label}
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

/** What the caller left: name, need, callback number, clips (shown as their field names). */
export function LeadFields({ fields }: { fields: Record<string, unknown> }) {
  const { t } = useI18n();
  const entries = Object.entries(fields);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="lead-fields">
      {entries.map(([key, value]) => {
        const text = fieldText(value, t.leads.clip);
        // A number the caller keyed or said reads the local way, left to right.
        const phone = /phone|number/i.test(key) && /^\+?[\d\s-]{6,}$/.test(text);
        return (
          <div key={key}>
            <dt>{t.leadFields[key as keyof typeof t.leadFields] ?? key}</dt>
            <dd dir="auto">{phone ? <Phone value={text} /> : text}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function fieldText(value: unknown, clipLabel: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    // Flow answers are { text?, clip? }: the words when transcribed, else that a clip was kept.
    if (typeof v.text === 'string' && v.text) return v.text;
    if (typeof v.value === 'string' && v.value) return v.value;
    if (typeof v.clip === 'string') return clipLabel;
  }
  return JSON.stringify(value);
}

export function LeadEditor({ lead, onSaved }: { lead: LeadView; onSaved: (lead: LeadView) => void }) {
  const { t } = useI18n();
  const { save, error } = useLeadSaver(lead, onSaved);
  return (
    <div class="lead-editor">
      <label class="field">
        <span>{t.leads.status}</span>
        <LeadStatusSelect lead={lead} onSaved={onSaved} />
      </label>
      <label class="field">
        <span>{t.leads.assignee}</span>
        <SavedText
          value={lead.assignee}
          label={t.leads.assignee}
          onSave={(assignee) => void save({ assignee })}
        />
      </label>
      <label class="field wide">
        <span>{t.leads.notes}</span>
        <SavedText
          value={lead.notes}
          label={t.leads.notes}
          multiline
          onSave={(notes) => void save({ notes })}
        />
      </label>
      {error !== undefined ? <ErrorNote error={error} /> : null}
      <LeadFields fields={lead.fields} />
    </div>
  );
}
