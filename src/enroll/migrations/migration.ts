/** One forward-only schema step, applied once and recorded by `id`. */
export interface Migration {
  /** Sortable, unique name, e.g. `0001-initial`. */
  readonly id: string;
  /** SQL run inside one transaction (PostgreSQL dialect, shared by PGlite and pg). */
  readonly sql: string;
}
