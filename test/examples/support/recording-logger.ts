/**
 * A logger for `startPortal({ logger })` that keeps every call, and the text a real logger could print of each: an
 * error serialiser (pino's) prints an error's message, stack and every enumerable property, Buffers included, so the
 * text has them all, a Buffer decoded. A secret absent from that text is absent from any such logger's output.
 */
import type { FastifyBaseLogger } from 'fastify';

/** One call the portal (or Fastify inside it) made to its logger. */
export interface Logged {
  readonly level: string;
  readonly args: readonly unknown[];
}

/** A logger with pino's methods at level `trace` that appends every call to `records` (its children are itself). */
export function recordingLogger(records: Logged[]): FastifyBaseLogger {
  const record =
    (level: string) =>
    (...args: unknown[]): void =>
      void records.push({ level, args });
  const logger = {
    level: 'trace',
    child: () => logger,
    fatal: record('fatal'),
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    trace: record('trace'),
    silent: record('silent'),
  };
  return logger as unknown as FastifyBaseLogger;
}

/** What a logger could print of `entry`: its arguments with each error's message, stack and properties, Buffers as text. */
export function printable(entry: Logged): string {
  return JSON.stringify(entry.args, (_key, value: unknown) => {
    if (value instanceof Error) {
      return { ...value, message: value.message, stack: value.stack, cause: value.cause };
    }
    // Buffer#toJSON has run by now: { type: 'Buffer', data: [...] }.
    const buffer = value as { type?: unknown; data?: unknown } | null;
    if (typeof buffer === 'object' && buffer !== null && buffer.type === 'Buffer' && Array.isArray(buffer.data)) {
      return Buffer.from(buffer.data as number[]).toString('latin1');
    }
    return value;
  });
}
