import { ReactNode, useMemo, useState } from 'react'
import { plural } from '../api/format'

export interface Column<T> {
  key: string
  title: string
  /** The value sorted and filtered on. */
  value: (row: T) => string | number
  /** How the cell shows (default: the value). */
  render?: (row: T) => ReactNode
  align?: 'left' | 'right'
  width?: string
}

interface Props<T> {
  rows: T[]
  columns: Column<T>[]
  rowKey: (row: T) => string
  /** Extra class for a row (e.g. 'bad' for an invalid one). */
  rowClass?: (row: T) => string | undefined
  empty?: ReactNode
  filterPlaceholder?: string
  testId?: string
  actions?: (row: T) => ReactNode
}

/** A dense table that sorts by any column (click a header) and filters on every column's text. */
export function DataTable<T>({ rows, columns, rowKey, rowClass, empty, filterPlaceholder, testId, actions }: Props<T>) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null)
  const [filter, setFilter] = useState('')
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase()
    let out = f ? rows.filter((r) => columns.some((c) => String(c.value(r)).toLowerCase().includes(f))) : rows.slice()
    if (sort) {
      const col = columns.find((c) => c.key === sort.key)
      if (col) {
        out = out.sort((a, b) => {
          const x = col.value(a)
          const y = col.value(b)
          const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })
          return cmp * sort.dir
        })
      }
    }
    return out
  }, [rows, columns, sort, filter])

  return (
    <div className="table-wrap" data-testid={testId}>
      <div className="table-tools">
        <input
          className="filter"
          type="search"
          placeholder={filterPlaceholder ?? 'Filter…'}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter rows"
        />
        <span className="muted">
          {shown.length === rows.length ? plural(rows.length, 'row') : `${shown.length} of ${rows.length} rows`}
        </span>
      </div>
      <table className="data">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                style={{ width: c.width, textAlign: c.align }}
                onClick={() => setSort((s) => (s?.key === c.key ? { key: c.key, dir: s.dir === 1 ? -1 : 1 } : { key: c.key, dir: 1 }))}
                aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                tabIndex={0}
                onKeyDown={(e) => e.key === 'Enter' && (e.currentTarget as HTMLElement).click()}
              >
                {c.title}
                {sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
              </th>
            ))}
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={columns.length + (actions ? 1 : 0)} className="muted">
                {empty ?? 'Nothing here yet.'}
              </td>
            </tr>
          )}
          {shown.map((r) => (
            <tr key={rowKey(r)} className={rowClass?.(r)}>
              {columns.map((c) => (
                <td key={c.key} style={{ textAlign: c.align }}>
                  {c.render ? c.render(r) : c.value(r)}
                </td>
              ))}
              {actions && <td className="actions">{actions(r)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
