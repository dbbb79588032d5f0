// The frame around every signed-in page: the navigation (a bar on wide screens, a menu on a
// phone), the language switch and sign-out.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useI18n } from './i18n/i18n.js';
import { Link, useLocation } from './router.js';
import { isAdmin, useSession } from './session.js';

interface NavItem {
  href: string;
  label: string;
  adminOnly?: boolean;
}

export function LangSwitch() {
  const { lang, t, setLang } = useI18n();
  const other = lang === 'he' ? 'en' : 'he';
  return (
    <button
      type="button"
      class="lang-switch"
      data-testid="lang-switch"
      lang={other}
      onClick={() => setLang(other)}
      title={t.shell.switchLanguage}
    >
      {t.shell.otherLanguage}
    </button>
  );
}

export function Shell({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  const { user, logout } = useSession();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const items: NavItem[] = [
    { href: '/live', label: t.nav.live },
    { href: '/calls', label: t.nav.calls },
    { href: '/leads', label: t.nav.leads },
    { href: '/contacts', label: t.nav.contacts },
    { href: '/agents', label: t.nav.agents },
    { href: '/settings', label: t.nav.settings },
    { href: '/test-call', label: t.nav.testCall, adminOnly: true },
  ];
  const visible = items.filter((i) => !i.adminOnly || isAdmin(user));
  const active = (href: string) => path === href || path.startsWith(`${href}/`);
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/live" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          {t.app.name}
        </Link>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          {t.shell.menu}
        </button>
        <nav id="main-nav" class={open ? 'nav open' : 'nav'} aria-label={t.shell.navigation}>
          {visible.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              class={active(item.href) ? 'nav-link active' : 'nav-link'}
              aria-current={active(item.href) ? 'page' : undefined}
              onClick={() => setOpen(false)}
            >
              {item.label}
            </Link>
          ))}
          <button type="button" class="link-button nav-logout" onClick={() => void logout()}>
            {t.shell.logout}
          </button>
        </nav>
        <div class="topbar-end">
          <LangSwitch />
          <span class="who" title={t.roles[user.role]}>
            {user.username}
          </span>
          <button type="button" class="link-button" onClick={() => void logout()}>
            {t.shell.logout}
          </button>
        </div>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}
