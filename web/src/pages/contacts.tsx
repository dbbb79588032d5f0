// Contacts: everyone who called, found by name, number, notes or tag, with their call count and
// last call; a contact opens to edit and to see its calls.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ContactView, Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, navigate, useLocation } from '../router.js';
import { Empty, ErrorNote, Loading, PageHeader, Phone, When } from '../components/ui.js';
import { usePaged } from '../components/paged.js';

export function ContactsPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const tag = query.get('tag') ?? '';
  const [text, setText] = useState(q);
  const list = usePaged(
    (cursor) => api.get<Page<ContactView>>('/contacts', { q, tag, limit: 50, cursor }),
    `${q}|${tag}`,
  );
  const go = (next: { q?: string; tag?: string }) => {
    const params = new URLSearchParams();
    if (next.q) params.set('q', next.q);
    if (next.tag) params.set('tag', next.tag);
    const qs = params.toString();
    navigate(qs ? `/contacts?${qs}` : '/contacts');
  };
  return (
    <section>
      <PageHeader title={t.contacts.title} />
      <form
        class="filters card"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: text.trim(), tag });
        }}
      >
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
        <div class="filter-buttons">
          <button type="submit" class="primary">
            {t.calls.apply}
          </button>
        </div>
      </form>
      {list.error !== undefined ? <ErrorNote error={list.error} /> : null}
      {list.items.length > 0 ? (
        <table class="table responsive">
          <thead>
            <tr>
              <th>{t.contacts.name}</th>
              <th>{t.contacts.phone}</th>
              <th>{t.contacts.tags}</th>
              <th>{t.contacts.calls}</th>
              <th>{t.contacts.lastCall}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id} data-contact-id={c.id}>
                <td data-label={t.contacts.name}>
                  <Link href={`/contacts/${c.id}`} class="row-link">
                    {c.name ? (
                      <span dir="auto">{c.name}</span>
                    ) : (
                      <span class="muted">{t.contacts.noName}</span>
                    )}
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
            ))}
          </tbody>
        </table>
      ) : null}
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && list.error === undefined ? (
        <Empty>{t.contacts.none}</Empty>
      ) : null}
      {list.hasMore && !list.loading ? (
        <button type="button" class="load-more" onClick={list.loadMore}>
          {t.common.loadMore}
        </button>
      ) : null}
    </section>
  );
}
