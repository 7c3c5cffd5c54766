import { beijingParts, beijingToEpoch } from '@axnbot/core';
import { phrase } from '../phrases.js';
import type { Locale } from './commands.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Units a duration may use, in English and Chinese. Longer spellings first so that `min` beats `m`. */
const UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(?:weeks?|wks?|w|周|星期|个星期)/i, 7 * DAY],
  [/^(?:days?|d|天|日)/i, DAY],
  [/^(?:hours?|hrs?|h|小时|个小时|时)/i, HOUR],
  [/^(?:minutes?|mins?|m|分钟|分)/i, MINUTE],
  // Seconds are accepted so that `30s` is refused as too soon rather than as gibberish.
  [/^(?:seconds?|secs?|s|秒钟|秒)/i, 1000],
];

/**
 * Parses a duration: `30m`, `2h`, `2d`, `1w`, `1d12h`, `90min`, `2天`, `3小时`, `30分钟`, `1周` (and seconds).
 * Answers milliseconds, or `undefined` when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim();
  if (!rest) return undefined;
  let total = 0;
  while (rest) {
    const number = /^(\d{1,6})/.exec(rest);
    if (!number) return undefined;
    rest = rest.slice(number[1]!.length).trimStart();
    const unit = UNITS.map(([pattern, ms]) => [pattern.exec(rest), ms] as const).find(([match]) => match);
    if (!unit) return undefined;
    total += Number(number[1]) * unit[1];
    rest = rest.slice(unit[0]![0].length).trimStart();
  }
  return total;
}

/**
 * Parses an expiry: a duration from `now`, or a Beijing time — `2026-12-01 18:00`, `12-01 18:00` (the
 * next such date), or a bare date `2026-12-01` / `12-01`, meaning the end of that day (23:59:59).
 * Answers the instant, or `undefined` when the text is neither.
 */
export function parseExpiry(text: string, now: number): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return now + duration;
  const m = /^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const [, yearText, monthText, dayText, hourText, minuteText, secondText] = m;
  const month = Number(monthText);
  const day = Number(dayText);
  const endOfDay = hourText === undefined;
  const hour = endOfDay ? 23 : Number(hourText);
  const minute = endOfDay ? 59 : Number(minuteText);
  const second = endOfDay ? 59 : Number(secondText ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const build = (year: number) => {
    const at = beijingToEpoch(year, month, day, hour, minute, second);
    // Reject dates that rolled over (02-30 → 03-02).
    const parts = beijingParts(at);
    return parts.month === month && parts.day === day ? at : undefined;
  };
  if (yearText !== undefined) return build(Number(yearText));
  const thisYear = beijingParts(now).year;
  const candidate = build(thisYear);
  if (candidate === undefined) return build(thisYear + 1);
  return candidate > now ? candidate : build(thisYear + 1);
}

/** A compact duration for people: `2d`, `3h 20m`, `45m` (or `2天`, `3小时20分钟`). */
export function formatDuration(ms: number, locale: Locale): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] = [];
  if (days) parts.push(phrase('duration.days', locale, { n: days }));
  if (hours) parts.push(phrase('duration.hours', locale, { n: hours }));
  if (mins && days === 0) parts.push(phrase('duration.minutes', locale, { n: mins }));
  if (parts.length === 0) return phrase('duration.underAMinute', locale);
  return parts.reduce((first, second) => phrase('punct.then', locale, { first, second }));
}

/** "in 2 days" / "2天后", or "3 hours ago" / "3小时前". */
export function relativeTime(at: number, now: number, locale: Locale): string {
  const delta = at - now;
  const span = humanSpan(Math.abs(delta), locale);
  return phrase(delta >= 0 ? 'time.future' : 'time.past', locale, { span });
}

function humanSpan(ms: number, locale: Locale): string {
  const [n, one, many] =
    ms >= 36 * HOUR
      ? ([Math.round(ms / DAY), 'span.day', 'span.days'] as const)
      : ms >= 90 * MINUTE
        ? ([Math.round(ms / HOUR), 'span.hour', 'span.hours'] as const)
        : ([Math.max(1, Math.round(ms / MINUTE)), 'span.minute', 'span.minutes'] as const);
  return phrase(n === 1 ? one : many, locale, { n });
}
