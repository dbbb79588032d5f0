// The language switch: Hebrew (right to left) by default, English on request, remembered in
// localStorage; <html dir/lang> follows. Pages read words only through useT().
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { he, type Dict } from './he.js';
import { en } from './en.js';
import { DEFAULT_TIMEZONE, type Lang } from '../format/time.js';

export const DICTS: Record<Lang, Dict> = { he, en };
const STORAGE_KEY = 'agentlocator.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'he';
  } catch {
    return 'he';
  }
}

export function applyDocumentLang(lang: Lang): void {
  const root = document.documentElement;
  root.lang = lang;
  root.dir = lang === 'he' ? 'rtl' : 'ltr';
  document.title = DICTS[lang].app.title;
}

interface I18n {
  lang: Lang;
  t: Dict;
  /** The zone times are shown in (the server's TIMEZONE when it says, else Asia/Jerusalem). */
  timeZone: string;
  setLang(lang: Lang): void;
  setTimeZone(zone: string): void;
}

const Ctx = createContext<I18n>({
  lang: 'he',
  t: he,
  timeZone: DEFAULT_TIMEZONE,
  setLang: () => {},
  setTimeZone: () => {},
});

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const [timeZone, setTimeZone] = useState(DEFAULT_TIMEZONE);
  useEffect(() => applyDocumentLang(lang), [lang]);
  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* private mode: the switch still works for this visit */
    }
    setLangState(next);
  }, []);
  const value = useMemo(
    () => ({ lang, t: DICTS[lang], timeZone, setLang, setTimeZone }),
    [lang, timeZone, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}
