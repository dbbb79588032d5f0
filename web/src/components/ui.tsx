// Small shared pieces: numbers and times shown the local way (numbers always left to right, even
// inside Hebrew text), status badges, loading and error notes.
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n.js';
import { formatPhone, telHref } from '../format/phone.js';
import { formatDateTime, formatDuration } from '../format/time.js';
import { ApiError } from '../api/client.js';

export function Phone({ value, link = false }: { value: string | null | undefined; link?: boolean }) {
  const { t } = useI18n();
  if (!value) return <span class="muted">{t.common.unknownNumber}</span>;
  const text = formatPhone(value);
  const href = link ? telHref(value) : undefined;
  // <bdi dir="ltr">: 050-123-4567 must not be reordered by the surrounding right-to-left text.
  return href ? (
    <a class="phone" href={href}>
      <bdi dir="ltr">{text}</bdi>
    </a>
  ) : (
    <bdi class="phone" dir="ltr">
      {text}
    </bdi>
  );
}

export function When({ iso }: { iso: string | null | undefined }) {
  const { lang, timeZone } = useI18n();
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso}>
      <bdi dir="ltr">{formatDateTime(iso, lang, timeZone)}</bdi>
    </time>
  );
}

export function Duration({ seconds }: { seconds: number | null | undefined }) {
  const text = formatDuration(seconds);
  return text ? <bdi dir="ltr">{text}</bdi> : <span class="muted">—</span>;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="note" role="status">
      {t.common.loading}
    </p>
  );
}

/** An API or network failure, in words: the server's message, or what the status means. */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  let text = t.common.failed;
  if (error instanceof ApiError) {
    if (error.status === 0) text = t.common.offline;
    else if (error.status === 403) text = t.common.forbidden;
    else if (error.status === 404) text = t.common.notFound;
    else text = `${t.common.failed} (${error.status}): ${error.message}`;
  }
  return (
    <p class="note note-error" role="alert">
      {text}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="note empty">{children}</p>;
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children ? <div class="page-actions">{children}</div> : null}
    </header>
  );
}
