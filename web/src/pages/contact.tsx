// Contact: edit a caller's name, notes and tags (PATCH /contacts/:id) and see their calls.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { CallView, ContactDetail, ContactView, Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useData } from '../components/use-data.js';
import { usePaged } from '../components/paged.js';
import { Empty, ErrorNote, Loading, PageHeader, Phone, When } from '../components/ui.js';
import { CallRows } from './calls.js';
import { parseTags } from '../format/tags.js';

/** GET /contacts/:id may answer the contact itself or { contact, … }. */
function contactOf(body: ContactView | ContactDetail): ContactView {
  return 'contact' in body ? body.contact : body;
}

function ContactForm({ contact, onSaved }: { contact: ContactView; onSaved: (c: ContactView) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(contact.name ?? '');
  const [notes, setNotes] = useState(contact.notes ?? '');
  const [tags, setTags] = useState(contact.tags.join(', '));
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setName(contact.name ?? '');
    setNotes(contact.notes ?? '');
    setTags(contact.tags.join(', '));
  }, [contact]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const body = await api.patch<ContactView | ContactDetail>(`/contacts/${contact.id}`, {
        name: name.trim() || null,
        notes: notes.trim() || null,
        tags: parseTags(tags),
      });
      onSaved(contactOf(body));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form-grid" onSubmit={(e) => void submit(e)}>
      <label class="field">
        <span>{t.contacts.name}</span>
        <input value={name} dir="auto" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t.contacts.tags}</span>
        <input
          value={tags}
          dir="auto"
          placeholder={t.contacts.tagsHint}
          onInput={(e) => setTags(e.currentTarget.value)}
        />
      </label>
      <label class="field wide">
        <span>{t.contacts.notes}</span>
        <textarea rows={3} dir="auto" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t.common.save}
        </button>
        {saved ? (
          <span class="saved" role="status">
            {t.common.saved}
          </span>
        ) : null}
      </div>
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </form>
  );
}

export function ContactPage({ id }: { id: string }) {
  const { t } = useI18n();
  const contact = useData(
    () => api.get<ContactView | ContactDetail>(`/contacts/${encodeURIComponent(id)}`).then(contactOf),
    [id],
  );
  const calls = usePaged(
    (cursor) => api.get<Page<CallView>>('/calls', { contact: id, limit: 20, cursor }),
    id,
  );
  if (contact.error !== undefined)
    return (
      <section>
        <PageHeader title={t.contacts.title} />
        <ErrorNote error={contact.error} />
      </section>
    );
  if (!contact.data) return <Loading />;
  const c = contact.data;
  return (
    <section>
      <PageHeader title={c.name ?? t.contacts.noName}>
        <Link href="/contacts" class="button">
          {t.contacts.back}
        </Link>
      </PageHeader>
      <p class="lead-line">
        <Phone value={c.phone} link /> · {t.contacts.since} <When iso={c.createdAt} />
      </p>
      <ContactForm contact={c} onSaved={contact.set} />
      <h2>{t.contacts.history}</h2>
      {calls.error !== undefined ? <ErrorNote error={calls.error} /> : null}
      {calls.items.length > 0 ? <CallRows items={calls.items} /> : null}
      {calls.loading ? <Loading /> : calls.items.length === 0 ? <Empty>{t.calls.none}</Empty> : null}
      {calls.hasMore && !calls.loading ? (
        <button type="button" class="load-more" onClick={calls.loadMore}>
          {t.common.loadMore}
        </button>
      ) : null}
    </section>
  );
}
