// Dates are shown in the project's zone, whatever the viewer's.

export function fmtDate(iso: string | undefined, tz: string, withTime = true): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (isNaN(d.getTime()) || d.getUTCFullYear() < 1970) return ''
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const, timeZoneName: 'short' as const } : {}),
  }).format(d)
}

/** "2027-05-14 18:00" in tz: the form the backend takes. */
export function wallTime(iso: string, tz: string): string {
  const d = new Date(iso)
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(d).map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}

export function fmtBytes(n: number): string {
  if (!isFinite(n)) return ''
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** A duration for people: "6 days 2 h", "3 h 05 min", "12 min". */
export function fmtDuration(seconds: number): string {
  const m = Math.round(seconds / 60)
  const days = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  const min = m % 60
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${h ? ` ${h} h` : ''}`
  if (h > 0) return `${h} h ${String(min).padStart(2, '0')} min`
  return `${min} min`
}

export function relDays(iso: string, now: string): string {
  const days = Math.round((new Date(iso).getTime() - new Date(now).getTime()) / 86400000)
  if (days === 0) return 'today'
  return days > 0 ? `in ${days} d` : `${-days} d ago`
}

/** count plus the noun, singular for one: "1 warning", "2 errors". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`
}
