/**
 * The app's time zone (DECISIONS D4: scheduling is in the app's time zone). Tenancy stores a UTC
 * offset such as `+08:00`; `UTC+8`, `UTC-05:30`, `GMT+8`, `UTC`, `Z` and IANA names such as
 * `Asia/Shanghai` are read too. Local calendar dates are handled as day numbers: days since
 * 1970-01-01 of the wall-clock date.
 */
export interface AppZone {
  /** Milliseconds to add to a UTC instant to read the wall clock at that instant. */
  offsetAt(epochMs: number): number;
}

export const MS_PER_DAY = 86_400_000;

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const UTC_NAMES = new Set(['UTC', 'GMT', 'Z']);

export function appZone(timeZone: string): AppZone {
  const name = timeZone.trim();
  if (UTC_NAMES.has(name.toUpperCase())) return { offsetAt: () => 0 };
  const fixed = FIXED_OFFSET.exec(name.toUpperCase());
  if (fixed) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? '0');
    if (hours > 14 || minutes > 59) throw new RangeError(`invalid app time zone ${timeZone}`);
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    return { offsetAt: () => offset };
  }
  return ianaZone(name);
}

function ianaZone(name: string): AppZone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    throw new RangeError(`invalid app time zone ${name}`, { cause: error });
  }
  return {
    offsetAt(epochMs: number): number {
      const parts = Object.fromEntries(format.formatToParts(epochMs).map((part) => [part.type, Number(part.value)]));
      const wallClock = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
      const wholeSecond = epochMs - (((epochMs % 1000) + 1000) % 1000);
      return wallClock - wholeSecond;
    },
  };
}

/** The local calendar day an instant falls on. */
export function localDayOf(zone: AppZone, epochMs: number): number {
  return Math.floor((epochMs + zone.offsetAt(epochMs)) / MS_PER_DAY);
}

/**
 * The instant the wall clock reads `msOfDay` on local `day`. Across a daylight-saving change the
 * offset is taken at the instant found by a first guess, so a wall-clock time that does not exist
 * maps to the instant one offset step away.
 */
export function instantOf(zone: AppZone, day: number, msOfDay: number): number {
  const wallClock = day * MS_PER_DAY + msOfDay;
  const guess = wallClock - zone.offsetAt(wallClock);
  return wallClock - zone.offsetAt(guess);
}

/** `YYYY-MM-DD` of a day number. */
export function isoDateOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number of a `YYYY-MM-DD` date. */
export function dayOfIsoDate(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}
