import { InvalidInput } from '../core/index.js';

/**
 * Business hours as a pure function of an instant: open or not, why, and when that next changes,
 * all in the schedule's own IANA time zone (Intl does the zone arithmetic; no clock is read here).
 *
 * Rules: a weekly range belongs to the day it opens on; `close` before `open` runs past midnight
 * into the next day (22:00–06:00), `24:00` closes at midnight. A holiday closes its whole local
 * date, and a range that opens on a holiday does not open at all (its overnight tail included).
 * Local wall times decide, so a range keeps its clock times across a DST change; a boundary that a
 * spring-forward gap skips takes effect when the clocks jump.
 */
export interface WeeklyRange {
  /** 0 = Sunday … 6 = Saturday. */
  day: number;
  /** HH:MM, 00:00–23:59. */
  open: string;
  /** HH:MM, 00:00–24:00; earlier than `open` runs overnight (00:00 and 24:00 both mean midnight). */
  close: string;
}

export interface Holiday {
  /** YYYY-MM-DD, a local date in the schedule's zone. */
  date: string;
  name: string;
}

export interface Schedule {
  timezone: string;
  weekly: WeeklyRange[];
  holidays: Holiday[];
}

export interface ScheduleStatus {
  open: boolean;
  reason: 'weekly' | 'holiday' | 'closed';
  /** ISO-8601 UTC of the next open/closed change, or null when none comes within a year. */
  nextChange: string | null;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Holidays are listed a year ahead at most; past that a change is "not coming". */
const HORIZON_DAYS = 400;
const WINDOW_DAYS = 7;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** An IANA zone name Intl knows ("Asia/Shanghai", "Europe/Berlin", "UTC"); offsets like "+08:00" are not. */
export function isTimeZone(name: string): boolean {
  if (!ZONE.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (Shanghai: +8 h). */
function offsetAt(timeZone: string, instant: number): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(whole)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return wall - whole;
}

/**
 * The instants at which the zone's clocks show local wall time `local` (ms, as if UTC): one usually,
 * two in a fall-back hour, and in a spring-forward gap the moment the clocks jump over it.
 */
function instantsOf(timeZone: string, local: number): number[] {
  const before = offsetAt(timeZone, local - DAY);
  const after = offsetAt(timeZone, local + DAY);
  const found = new Set<number>();
  for (const o of [before, after]) if (offsetAt(timeZone, local - o) === o) found.add(local - o);
  if (found.size > 0) return [...found].sort((a, b) => a - b);
  let lo = local - Math.max(before, after);
  let hi = local - Math.min(before, after);
  // Offsets change on whole minutes: search minutes for the first one on the new offset.
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
    if (offsetAt(timeZone, mid) === after) hi = mid;
    else lo = mid;
  }
  return [hi];
}

function minutesOf(hhmm: string): number {
  if (hhmm === '24:00') return 24 * 60;
  const m = TIME.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

function weekday(dayNumber: number): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

interface Compiled {
  timezone: string;
  ranges: { day: number; open: number; close: number }[];
  holidays: Set<string>;
}

function compile(s: Schedule): Compiled {
  return {
    timezone: s.timezone,
    ranges: s.weekly.map((r) => ({ day: r.day, open: minutesOf(r.open), close: minutesOf(r.close) })),
    holidays: new Set(s.holidays.map((h) => h.date)),
  };
}

/** Open or closed at a local wall time (ms, as if UTC). */
function stateAt(c: Compiled, local: number): { open: boolean; reason: ScheduleStatus['reason'] } {
  const day = Math.floor(local / DAY);
  const minute = Math.floor((local - day * DAY) / MINUTE);
  if (c.holidays.has(isoDate(day))) return { open: false, reason: 'holiday' };
  const today = weekday(day);
  const yesterday = weekday(day - 1);
  const eveWasHoliday = c.holidays.has(isoDate(day - 1));
  for (const r of c.ranges) {
    const overnight = r.close < r.open;
    if (r.day === today && minute >= r.open && (overnight || minute < r.close))
      return { open: true, reason: 'weekly' };
    if (overnight && !eveWasHoliday && r.day === yesterday && minute < r.close)
      return { open: true, reason: 'weekly' };
  }
  return { open: false, reason: 'closed' };
}

/** Local wall times at which the state may change, for ranges opening on `day` and holiday edges. */
function boundariesOf(c: Compiled, day: number): number[] {
  const out: number[] = [];
  for (const r of c.ranges) {
    if (r.day !== weekday(day)) continue;
    out.push(day * DAY + r.open * MINUTE);
    out.push((r.close < r.open ? day + 1 : day) * DAY + r.close * MINUTE);
  }
  if (c.holidays.has(isoDate(day)) || c.holidays.has(isoDate(day - 1))) out.push(day * DAY);
  return out;
}

/** The instant the zone changes its offset during local `day`, if it does (DST). */
function transitionOn(timezone: string, day: number): number | undefined {
  const start = day * DAY - offsetAt(timezone, day * DAY);
  const end = start + DAY;
  const after = offsetAt(timezone, end);
  if (offsetAt(timezone, start) === after) return undefined;
  let lo = start;
  let hi = end;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
    if (offsetAt(timezone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

function localOf(timezone: string, instant: number): number {
  return instant + offsetAt(timezone, instant);
}

export function scheduleStatus(schedule: Schedule, at: Date): ScheduleStatus {
  const c = compile(schedule);
  const instant = at.getTime();
  const now = stateAt(c, localOf(c.timezone, instant));
  if (c.ranges.length === 0) return { ...now, nextChange: null };
  const firstDay = Math.floor(localOf(c.timezone, instant) / DAY);
  // Windows of days in order; a window keeps only changes whose local time falls inside it, so
  // an overnight range's close (generated with the day it opens) is judged in its own window.
  for (let from = firstDay; from < firstDay + HORIZON_DAYS; from += WINDOW_DAYS) {
    const to = from + WINDOW_DAYS;
    const instants: number[] = [];
    for (let day = from - 1; day < to; day++) {
      for (const local of boundariesOf(c, day)) {
        if (local < from * DAY || local >= to * DAY) continue;
        instants.push(...instantsOf(c.timezone, local));
      }
      const jump = day >= from ? transitionOn(c.timezone, day) : undefined;
      if (jump !== undefined) instants.push(jump);
    }
    instants.sort((a, b) => a - b);
    for (const t of instants) {
      if (t <= instant) continue;
      if (stateAt(c, localOf(c.timezone, t)).open !== now.open)
        return { ...now, nextChange: new Date(t).toISOString() };
    }
  }
  return { ...now, nextChange: null };
}

function bad(message: string, field: string): never {
  throw new InvalidInput(message, field);
}

/** Refuses a schedule that cannot mean one thing: unknown zone, bad times, empty ranges, bad or repeated dates. */
export function assertSchedule(s: Schedule): void {
  if (!isTimeZone(s.timezone))
    bad(`"${s.timezone}" is not an IANA time zone such as Asia/Shanghai`, 'timezone');
  s.weekly.forEach((r, i) => {
    if (!Number.isInteger(r.day) || r.day < 0 || r.day > 6)
      bad('day is 0 (Sunday) to 6 (Saturday)', `weekly.${i}.day`);
    if (!TIME.test(r.open)) bad('open is HH:MM from 00:00 to 23:59', `weekly.${i}.open`);
    if (!TIME.test(r.close) && r.close !== '24:00')
      bad('close is HH:MM from 00:00 to 24:00', `weekly.${i}.close`);
    if (minutesOf(r.close) === minutesOf(r.open))
      bad('close must differ from open (00:00–24:00 is the whole day)', `weekly.${i}.close`);
  });
  const seen = new Set<string>();
  s.holidays.forEach((h, i) => {
    const m = DATE.exec(h.date);
    const real = m && isoDate(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY) === h.date;
    if (!real) bad(`${h.date} is not a date (YYYY-MM-DD)`, `holidays.${i}.date`);
    if (seen.has(h.date)) bad(`${h.date} is listed twice`, `holidays.${i}.date`);
    seen.add(h.date);
  });
}
