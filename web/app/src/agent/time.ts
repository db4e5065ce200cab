// Times as an agent reads them: the clock time today, the date before that.

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "14:05" today, "3/12" earlier this year, "2024/3/12" before. */
export function formatShort(iso: string, now: number, language: string): string {
  const d = new Date(iso);
  const today = new Date(now);
  if (sameDay(d, today)) return d.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
  if (d.getFullYear() === today.getFullYear())
    return d.toLocaleDateString(language, { month: 'numeric', day: 'numeric' });
  return d.toLocaleDateString(language, { year: 'numeric', month: 'numeric', day: 'numeric' });
}

export function formatTime(iso: string, language: string): string {
  return new Date(iso).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}

export function formatDateTime(iso: string, language: string): string {
  return new Date(iso).toLocaleString(language, {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The day heading between messages: the long date. */
export function formatDay(iso: string, language: string): string {
  return new Date(iso).toLocaleDateString(language, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  });
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}
