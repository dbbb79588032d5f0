// Editing the directory from the Agents page (admins, and only while no AGENTS_FILE manages it):
// add or replace a department with its hours (PUT /departments/:id), add an agent
// (POST /agents), remove one (DELETE /agents/:id).
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AgentView, DepartmentView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { toE164 } from '../format/phone.js';
import { parseHoursInput } from '../format/hours-input.js';
import { ErrorNote } from '../components/ui.js';

/** Runs one edit: the error shown until the next try, `busy` while it runs. */
function useEdit(onDone: () => void) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      onDone();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function AddDepartment({ onSaved }: { onSaved: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [hours, setHours] = useState('');
  const [hoursError, setHoursError] = useState<string | undefined>(undefined);
  const edit = useEdit(onSaved);
  const submit = async (e: Event) => {
    e.preventDefault();
    const parsed = parseHoursInput(hours);
    if ('error' in parsed) return setHoursError(t.agents.hoursBad(parsed.error));
    setHoursError(undefined);
    const body = parsed.hours ? { hours: parsed.hours } : {};
    if (await edit.run(() => api.put(`/departments/${encodeURIComponent(id.trim())}`, body))) {
      setId('');
      setHours('');
    }
  };
  return (
    <form class="form-grid" data-form="department" onSubmit={(e) => void submit(e)}>
      <label class="field">
        <span>{t.agents.departmentId}</span>
        <input required dir="ltr" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label class="field wide">
        <span>{t.agents.hours}</span>
        <input
          dir="ltr"
          value={hours}
          placeholder="sun-thu 09:00-18:00, fri 09:00-13:00"
          onInput={(e) => setHours(e.currentTarget.value)}
        />
      </label>
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={edit.busy}>
          {t.agents.saveDepartment}
        </button>
      </div>
      {hoursError ? (
        <p class="note note-error" role="alert">
          {hoursError}
        </p>
      ) : null}
      {edit.error !== undefined ? <ErrorNote error={edit.error} /> : null}
    </form>
  );
}

export function AddAgent({ departments, onSaved }: { departments: DepartmentView[]; onSaved: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [maxCalls, setMaxCalls] = useState('1');
  const edit = useEdit(onSaved);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      id: id.trim(),
      name: name.trim(),
      phone: toE164(phone),
      departments: chosen.length > 0 ? chosen : departments.slice(0, 1).map((d) => d.id),
      maxCalls: Number(maxCalls) || 1,
    };
    if (await edit.run(() => api.post('/agents', body))) {
      setId('');
      setName('');
      setPhone('');
      setChosen([]);
    }
  };
  const toggle = (dep: string) =>
    setChosen(chosen.includes(dep) ? chosen.filter((d) => d !== dep) : [...chosen, dep]);
  return (
    <form class="form-grid" data-form="agent" onSubmit={(e) => void submit(e)}>
      <label class="field">
        <span>{t.agents.agentId}</span>
        <input required dir="ltr" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t.agents.name}</span>
        <input required dir="auto" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t.agents.phone}</span>
        <input
          required
          dir="ltr"
          type="tel"
          value={phone}
          placeholder="050-123-4567"
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{t.agents.maxCalls}</span>
        <input
          type="number"
          min={1}
          max={100}
          value={maxCalls}
          onInput={(e) => setMaxCalls(e.currentTarget.value)}
        />
      </label>
      <fieldset class="field wide">
        <legend>{t.agents.departments}</legend>
        {departments.map((d) => (
          <label key={d.id} class="check">
            <input
              type="checkbox"
              name="departments"
              value={d.id}
              checked={chosen.includes(d.id)}
              onChange={() => toggle(d.id)}
            />{' '}
            <span dir="auto">{d.id}</span>
          </label>
        ))}
      </fieldset>
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={edit.busy || departments.length === 0}>
          {t.agents.add}
        </button>
      </div>
      {departments.length === 0 ? <p class="note">{t.agents.departmentFirst}</p> : null}
      {edit.error !== undefined ? <ErrorNote error={edit.error} /> : null}
    </form>
  );
}

export function RemoveAgent({ agent, onRemoved }: { agent: AgentView; onRemoved: () => void }) {
  const { t } = useI18n();
  const edit = useEdit(onRemoved);
  return (
    <>
      <button
        type="button"
        class="danger remove-agent"
        disabled={edit.busy}
        onClick={() => {
          if (window.confirm(t.agents.removeConfirm(agent.name)))
            void edit.run(() => api.del(`/agents/${encodeURIComponent(agent.id)}`));
        }}
      >
        {t.agents.remove}
      </button>
      {edit.error !== undefined ? <ErrorNote error={edit.error} /> : null}
    </>
  );
}
