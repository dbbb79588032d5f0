// Contact tags typed as one line of text.

/** "vip, מתעניין" → ['vip', 'מתעניין']: commas separate, blanks and repeats drop. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,،]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
