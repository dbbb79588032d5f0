// Phone numbers the way Israelis read them: +972501234567 → 050-123-4567, landlines 02-123-4567,
// foreign numbers in international form. Pure; the store keeps E.164 and so do tel: links.

/** Country calling codes by length, enough to split the code off a foreign number. */
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGIT = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

/** The Israeli national number (no leading 0) grouped as Israelis write it, or null if not Israeli-shaped. */
function israeliNational(national: string): string | null {
  if (!/^\d+$/.test(national)) return null;
  // Mobile 05x and VoIP/new landlines 07x: 0XX-XXX-XXXX.
  if (/^[57]\d{8}$/.test(national))
    return `0${national.slice(0, 2)}-${national.slice(2, 5)}-${national.slice(5)}`;
  // Landlines 02, 03, 04, 08, 09: 0X-XXX-XXXX.
  if (/^[23489]\d{7}$/.test(national)) return `0${national[0]}-${national.slice(1, 4)}-${national.slice(4)}`;
  // Toll-free and shared-cost 1-800 / 1-700: 1-800-XXX-XXX.
  if (/^1[78]00\d{6}$/.test(national))
    return `${national.slice(0, 1)}-${national.slice(1, 4)}-${national.slice(4, 7)}-${national.slice(7)}`;
  return null;
}

function international(digits: string): string {
  if (digits.startsWith('1') && digits.length === 11) {
    return `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
  }
  const cc = ONE_DIGIT.has(digits.slice(0, 1))
    ? digits.slice(0, 1)
    : TWO_DIGIT.has(digits.slice(0, 2))
      ? digits.slice(0, 2)
      : digits.slice(0, 3);
  const rest = digits.slice(cc.length);
  return rest ? `+${cc} ${rest}` : `+${cc}`;
}

/**
 * A number for people to read. E.164 Israeli numbers and local ones (050…, 02…) in Israeli form,
 * other E.164 numbers as +CC national, anything else (anonymous, client:…, sip:…) unchanged.
 */
export function formatPhone(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  const value = raw.trim();
  const compact = value.replace(/[\s().-]/g, '');
  if (/^\+972\d+$/.test(compact)) return israeliNational(compact.slice(4)) ?? compact;
  if (/^0\d{8,9}$/.test(compact)) return israeliNational(compact.slice(1)) ?? compact;
  if (/^1[78]00\d{6}$/.test(compact)) return israeliNational(compact) ?? compact;
  if (/^\+[1-9]\d{5,14}$/.test(compact)) return international(compact.slice(1));
  return value;
}

/** A tel: URI for a stored number, or undefined when it is not dialable (anonymous, client:…). */
export function telHref(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const compact = raw.replace(/[\s().-]/g, '');
  return /^\+?\d{6,15}$/.test(compact) ? `tel:${compact}` : undefined;
}

/**
 * A number as typed (050-123-4567, 03 123 4567, +972…) in the E.164 the directory stores; sip:…
 * and client:… addresses unchanged; anything else as typed (the server names what is wrong).
 */
export function toE164(raw: string): string {
  const value = raw.trim();
  if (/^(sips?|client):/i.test(value)) return value;
  const compact = value.replace(/[\s().-]/g, '');
  if (/^0[1-9]\d{7,8}$/.test(compact)) return `+972${compact.slice(1)}`;
  return compact;
}
