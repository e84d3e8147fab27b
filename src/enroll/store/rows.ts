/** Converts driver values to the domain's plain JSON shapes. */

/** A timestamp column as an ISO string (drivers return Date or string). */
export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** Nullable timestamp column as an ISO string or undefined. */
export function optionalIsoOf(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : isoOf(value);
}

/** Nullable text column. */
export function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** A jsonb column: drivers already parse it, but tolerate text. */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
