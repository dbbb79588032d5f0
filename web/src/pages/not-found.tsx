// A path the dashboard has no page for.
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section class="narrow">
      <h1>{t.notFound.title}</h1>
      <p>{t.notFound.body}</p>
      <Link href="/live">{t.notFound.back}</Link>
    </section>
  );
}
