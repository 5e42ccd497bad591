// The visitor's local time, from the time zone (or else the UTC offset) their widget reported.

/** "14:32" in the visitor's zone; undefined when the zone is unknown to this browser and no offset was given. */
export function visitorLocalTime(
  now: Date,
  timeZone?: string,
  utcOffset?: number,
  locale?: string,
): string | undefined {
  const fmt = (d: Date, zone: string) =>
    new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(d);
  if (timeZone) {
    try {
      return fmt(now, timeZone);
    } catch {
      /* a zone this browser does not know: use the offset */
    }
  }
  if (utcOffset === undefined) return undefined;
  return fmt(new Date(now.getTime() + utcOffset * 60_000), 'UTC');
}

/** "UTC+1", "UTC−3:30", "UTC". */
export function offsetLabel(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const hm = abs % 60 ? `${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}` : String(abs / 60);
  return `UTC${minutes > 0 ? '+' : '−'}${hm}`;
}

/** "French (France)" for "fr-FR", or the code itself when the browser has no name for it. */
export function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}
