// Contacts: everyone who called, found by name, number, notes or tag, with their call count and
// last call; a contact opens to edit and to see its calls.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ContactView, Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { PageHeader, Phone, When } from '../components/ui.js';
import { usePaged } from '../components/paged.js';
import { FilterBar, PagedTable, useQueryFilters } from '../components/list-view.js';

const CONTACT_FILTERS = ['q', 'tag'] as const;

export function ContactsPage() {
  const { t } = useI18n();
  const { filters, key, go } = useQueryFilters('/contacts', CONTACT_FILTERS);
  const { q = '', tag = '' } = filters;
  const [text, setText] = useState(q);
  const list = usePaged(
    (cursor) => api.get<Page<ContactView>>('/contacts', { q, tag, limit: 50, cursor }),
    key,
  );
  return (
    <section>
      <PageHeader title={t.contacts.title} />
      <FilterBar onApply={() => go({ q: text, tag })}>
        <label class="field wide">
          <span>{t.calls.search}</span>
          <input
            type="search"
            value={text}
            placeholder={t.contacts.searchHint}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        {tag ? (
          <div class="field chip-field">
            <span>{t.contacts.tag}</span>
            <button type="button" class="chip" onClick={() => go({ q })}>
              {tag} ✕
            </button>
          </div>
        ) : null}
      </FilterBar>
      <PagedTable
        list={list}
        headers={[t.contacts.name, t.contacts.phone, t.contacts.tags, t.contacts.calls, t.contacts.lastCall]}
        empty={t.contacts.none}
        row={(c) => (
          <tr key={c.id} data-contact-id={c.id}>
            <td data-label={t.contacts.name}>
              <Link href={`/contacts/${c.id}`} class="row-link">
                {c.name ? <span dir="auto">{c.name}</span> : <span class="muted">{t.contacts.noName}</span>}
              </Link>
            </td>
            <td data-label={t.contacts.phone}>
              <Phone value={c.phone} link />
            </td>
            <td data-label={t.contacts.tags}>
              {c.tags.length === 0 ? <span class="muted">—</span> : null}
              {c.tags.map((tg) => (
                <button key={tg} type="button" class="chip" onClick={() => go({ q, tag: tg })}>
                  {tg}
                </button>
              ))}
            </td>
            <td data-label={t.contacts.calls}>{c.callCount}</td>
            <td data-label={t.contacts.lastCall}>
              <When iso={c.lastCallAt} />
            </td>
          </tr>
        )}
      />
    </section>
  );
}
