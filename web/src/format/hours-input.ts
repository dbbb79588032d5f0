// Opening hours as a person types them — `sun-thu 09:00-18:00, fri 09:00-13:00` (the way the
// server words them back) — into the spec the directory takes (`{ "sun-thu": "09:00-18:00" }`).
// Blank means always open. The server checks days and ranges; this only splits the text.

export type HoursSpec = Record<string, string>;

/** The spec, undefined for blank text, or the piece that is not `days range`. */
export function parseHoursInput(text: string): { hours: HoursSpec | undefined } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed || trimmed.toLowerCase() === 'always') return { hours: undefined };
  const hours: HoursSpec = {};
  for (const piece of trimmed.split(/[,;]/)) {
    const part = piece.trim();
    if (!part) continue;
    const m = /^([a-z]{3}(?:-[a-z]{3})?)\s+(\S+)$/i.exec(part);
    if (!m) return { error: part };
    hours[m[1]!.toLowerCase()] = m[2]!;
  }
  return { hours };
}
