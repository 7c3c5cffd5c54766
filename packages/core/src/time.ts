/** Milliseconds in Beijing's fixed offset from UTC (UTC+8, no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Formats an instant as the signing timestamp: UTC `yyyy-MM-ddTHH:mm:ssZ`, no milliseconds. */
export function formatSigningTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}Z`;
}

/** Parses a signing timestamp (`yyyy-MM-ddTHH:mm:ssZ`); `undefined` when malformed. */
export function parseSigningTimestamp(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  return fromParts(m, 0);
}

/** Formats an instant as Beijing wall-clock time, `yyyy-MM-dd HH:mm:ss` (the API's `Expiration`). */
export function formatBeijingTime(epochMs: number): string {
  const d = new Date(epochMs + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
}

/** Parses Beijing wall-clock `yyyy-MM-dd HH:mm:ss` to an instant; `undefined` when malformed or impossible. */
export function parseBeijingTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  return fromParts(m, BEIJING_OFFSET_MS);
}

/** Builds an instant from regex groups year…second, rejecting dates such as 02-30 or 24:00:00. */
function fromParts(m: RegExpExecArray, offsetMs: number): number | undefined {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  return utc - offsetMs;
}

/** Beijing calendar fields of an instant, for renderers. */
export function beijingParts(epochMs: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
} {
  const d = new Date(epochMs + BEIJING_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** The instant of a Beijing wall-clock time given as fields (month 1-based). */
export function beijingToEpoch(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS;
}
