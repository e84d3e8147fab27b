/**
 * Whether `error` is the module loader's "not installed" (`ERR_MODULE_NOT_FOUND`
 * from an ES module import, `MODULE_NOT_FOUND` from `require`), and, given
 * `name`, for that package: how an optional peer that was not installed shows.
 */
export function moduleNotFound(error: unknown, name?: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return name === undefined || (error instanceof Error && error.message.includes(name));
}
