import { describe, expect, it } from 'vitest';
import { assertSchedule, isTimeZone, type Schedule, scheduleStatus } from './schedule.js';

const weekdays = (open: string, close: string) => [1, 2, 3, 4, 5].map((day) => ({ day, open, close }));

const shanghai: Schedule = {
  timezone: 'Asia/Shanghai',
  weekly: weekdays('09:00', '18:00'),
  holidays: [{ date: '2026-10-01', name: '国庆节' }],
};

const at = (iso: string) => new Date(iso);

describe('business hours in Asia/Shanghai (UTC+8, no DST)', () => {
  it('is open inside a weekday range and says when it closes', () => {
    // Wednesday 2026-09-16 10:00 in Shanghai.
    expect(scheduleStatus(shanghai, at('2026-09-16T02:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: '2026-09-16T10:00:00.000Z',
    });
  });

  it('is closed after hours and opens the next morning', () => {
    expect(scheduleStatus(shanghai, at('2026-09-16T11:30:00Z'))).toEqual({
      open: false,
      reason: 'closed',
      nextChange: '2026-09-17T01:00:00.000Z',
    });
  });

  it('opens exactly at the opening minute and closes exactly at the closing one', () => {
    expect(scheduleStatus(shanghai, at('2026-09-16T01:00:00Z')).open).toBe(true);
    expect(scheduleStatus(shanghai, at('2026-09-16T00:59:59Z')).open).toBe(false);
    expect(scheduleStatus(shanghai, at('2026-09-16T10:00:00Z')).open).toBe(false);
  });

  it('skips the weekend: Friday evening opens on Monday', () => {
    expect(scheduleStatus(shanghai, at('2026-09-18T12:00:00Z')).nextChange).toBe('2026-09-21T01:00:00.000Z');
  });

  it('is closed all day on a holiday that falls on a weekday, with the reason, and opens the day after', () => {
    // Thursday 2026-10-01, 11:00 local.
    expect(scheduleStatus(shanghai, at('2026-10-01T03:00:00Z'))).toEqual({
      open: false,
      reason: 'holiday',
      nextChange: '2026-10-02T01:00:00.000Z',
    });
  });

  it('closes at the start of a holiday for a range that would run through it', () => {
    const allDay: Schedule = {
      timezone: 'Asia/Shanghai',
      weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '00:00', close: '24:00' })),
      holidays: [{ date: '2026-10-01', name: '国庆节' }],
    };
    expect(scheduleStatus(allDay, at('2026-09-30T12:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: '2026-09-30T16:00:00.000Z',
    });
    expect(scheduleStatus(allDay, at('2026-09-30T16:00:00Z')).nextChange).toBe('2026-10-01T16:00:00.000Z');
  });

  it('has no next change when it never opens, or is always open with no holidays', () => {
    expect(scheduleStatus({ ...shanghai, weekly: [] }, at('2026-09-16T02:00:00Z'))).toEqual({
      open: false,
      reason: 'closed',
      nextChange: null,
    });
    const always: Schedule = {
      timezone: 'Asia/Shanghai',
      weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '00:00', close: '24:00' })),
      holidays: [],
    };
    expect(scheduleStatus(always, at('2026-09-16T02:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: null,
    });
  });
});

describe('overnight ranges', () => {
  // A night desk: Monday to Friday 22:00 until 06:00 the next morning.
  const night: Schedule = { timezone: 'Asia/Shanghai', weekly: weekdays('22:00', '06:00'), holidays: [] };

  it('is open after midnight on the range of the evening before', () => {
    // Tuesday 03:00 local belongs to Monday's 22:00–06:00.
    expect(scheduleStatus(night, at('2026-09-14T19:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: '2026-09-14T22:00:00.000Z',
    });
  });

  it("runs Friday's night into Saturday morning, then stays closed until Monday night", () => {
    // Saturday 05:00 local.
    expect(scheduleStatus(night, at('2026-09-18T21:00:00Z'))).toMatchObject({
      open: true,
      nextChange: '2026-09-18T22:00:00.000Z',
    });
    // Saturday 07:00 local: next opening Monday 22:00 local.
    expect(scheduleStatus(night, at('2026-09-18T23:00:00Z'))).toMatchObject({
      open: false,
      reason: 'closed',
      nextChange: '2026-09-21T14:00:00.000Z',
    });
  });

  it('does not open on a holiday evening, nor in the morning of a holiday', () => {
    const withHoliday = { ...night, holidays: [{ date: '2026-09-15', name: 'x' }] };
    // Tuesday 15th is a holiday: Monday's range closes at midnight, Tuesday's night does not open.
    expect(scheduleStatus(withHoliday, at('2026-09-14T15:00:00Z'))).toMatchObject({
      open: true,
      nextChange: '2026-09-14T16:00:00.000Z',
    });
    expect(scheduleStatus(withHoliday, at('2026-09-15T15:00:00Z'))).toMatchObject({
      open: false,
      reason: 'holiday',
    });
    // Wednesday 03:00 local: the range would have opened on the holiday.
    expect(scheduleStatus(withHoliday, at('2026-09-15T19:00:00Z'))).toMatchObject({
      open: false,
      reason: 'closed',
      nextChange: '2026-09-16T14:00:00.000Z',
    });
  });

  it('treats a close of 00:00 as midnight', () => {
    const evening: Schedule = {
      timezone: 'Asia/Shanghai',
      weekly: [{ day: 3, open: '18:00', close: '00:00' }],
      holidays: [],
    };
    expect(scheduleStatus(evening, at('2026-09-16T13:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: '2026-09-16T16:00:00.000Z',
    });
  });
});

describe('business hours in Europe/Berlin (DST)', () => {
  const berlin: Schedule = { timezone: 'Europe/Berlin', weekly: weekdays('09:00', '17:00'), holidays: [] };

  it('keeps local opening times across the spring change: UTC+1 on Friday, UTC+2 on Monday', () => {
    // Friday 2026-03-27 18:30 CET; clocks go forward on Sunday 29 March.
    expect(scheduleStatus(berlin, at('2026-03-27T17:30:00Z'))).toEqual({
      open: false,
      reason: 'closed',
      nextChange: '2026-03-30T07:00:00.000Z',
    });
    expect(scheduleStatus(berlin, at('2026-03-30T07:00:00Z')).open).toBe(true);
    expect(scheduleStatus(berlin, at('2026-03-30T06:59:00Z')).open).toBe(false);
  });

  it('keeps them across the autumn change too', () => {
    // Friday 2026-10-23 12:00 CEST closes at 15:00 UTC; Monday 26th (CET) opens at 08:00 UTC.
    expect(scheduleStatus(berlin, at('2026-10-23T10:00:00Z')).nextChange).toBe('2026-10-23T15:00:00.000Z');
    expect(scheduleStatus(berlin, at('2026-10-23T16:00:00Z')).nextChange).toBe('2026-10-26T08:00:00.000Z');
  });

  it('opens when the clocks jump if the opening time falls in the skipped hour', () => {
    const sunday: Schedule = {
      timezone: 'Europe/Berlin',
      weekly: [{ day: 0, open: '02:30', close: '05:00' }],
      holidays: [],
    };
    // Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(scheduleStatus(sunday, at('2026-03-29T00:30:00Z'))).toEqual({
      open: false,
      reason: 'closed',
      nextChange: '2026-03-29T01:00:00.000Z',
    });
    expect(scheduleStatus(sunday, at('2026-03-29T01:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly',
      nextChange: '2026-03-29T03:00:00.000Z',
    });
  });
});

describe('schedule validation', () => {
  const valid = shanghai;
  it('accepts IANA zones and refuses made-up ones and offsets', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('+08:00')).toBe(false);
    expect(() => assertSchedule({ ...valid, timezone: 'Asia/Beijing' })).toThrow(/IANA/);
  });

  it.each([
    [{ day: 1, open: '9:00', close: '18:00' }, 'weekly.0.open'],
    [{ day: 1, open: '09:00', close: '24:30' }, 'weekly.0.close'],
    [{ day: 1, open: '09:00', close: '09:00' }, 'weekly.0.close'],
    [{ day: 7, open: '09:00', close: '18:00' }, 'weekly.0.day'],
  ])('refuses the range %j naming %s', (range, field) => {
    try {
      assertSchedule({ ...valid, weekly: [range] });
      expect.unreachable();
    } catch (err) {
      expect((err as { extra: { field: string } }).extra.field).toBe(field);
    }
  });

  it('refuses impossible and repeated holiday dates', () => {
    expect(() => assertSchedule({ ...valid, holidays: [{ date: '2026-02-30', name: 'x' }] })).toThrow(
      /not a date/,
    );
    expect(() =>
      assertSchedule({
        ...valid,
        holidays: [
          { date: '2026-10-01', name: 'a' },
          { date: '2026-10-01', name: 'b' },
        ],
      }),
    ).toThrow(/twice/);
  });

  it('accepts a whole day as 00:00–24:00', () => {
    expect(() =>
      assertSchedule({ ...valid, weekly: [{ day: 0, open: '00:00', close: '24:00' }] }),
    ).not.toThrow();
  });
});
