import type { Page } from 'playwright-core';

/** A ComponentError as seen from the test: its fields, copied out of the page. */
export interface PageError {
  readonly isComponentError: boolean;
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly retCode?: number;
  readonly lastError?: number;
  readonly triesLeft?: number;
  readonly field?: string;
  readonly componentMessage?: string;
  readonly messages: { zhTW: string; en: string };
}

/** The outcome of a call made in the page. */
export type PageOutcome<T> = { ok: true; value: T } | { ok: false; error: PageError };

/**
 * Runs `twpki.<op>` in the page (the bundled module as loaded by a
 * `<script type="module">`) and copies the result or the error out.
 * `sign` gets `slotFromDetect` to pass the reader `detect` found, and
 * `tbsBytes` to sign bytes instead of text.
 */
export function inPage<T>(
  page: Page,
  op: 'detect' | 'sign',
  args: { request?: Record<string, unknown>; options?: Record<string, unknown>; slotFromDetect?: boolean; tbsBytes?: number[] },
): Promise<PageOutcome<T>> {
  return page.evaluate(
    async ({ op, args }) => {
      const w = globalThis as unknown as { twpki: Record<string, (...a: unknown[]) => Promise<unknown>> & { ComponentError: new () => object } };
      const t = w.twpki;
      try {
        if (op === 'detect') return { ok: true as const, value: await t.detect?.(args.options) };
        const request: Record<string, unknown> = { ...args.request };
        if (args.tbsBytes) request.tbs = new Uint8Array(args.tbsBytes);
        if (args.slotFromDetect) {
          const found = (await t.detect?.(args.options)) as { slot: unknown };
          request.slot = found.slot;
        }
        return { ok: true as const, value: await t.sign?.(request, args.options) };
      } catch (e) {
        const err = e as Record<string, unknown>;
        return {
          ok: false as const,
          error: {
            isComponentError: e instanceof t.ComponentError,
            name: String(err.name),
            code: String(err.code),
            message: String(err.message),
            retCode: err.retCode as number | undefined,
            lastError: err.lastError as number | undefined,
            triesLeft: err.triesLeft as number | undefined,
            field: err.field as string | undefined,
            componentMessage: err.componentMessage as string | undefined,
            messages: err.messages as { zhTW: string; en: string },
          },
        };
      }
    },
    { op, args },
  ) as Promise<PageOutcome<T>>;
}

/** The value of a successful outcome; fails the test with the page's error otherwise. */
export function valueOf<T>(outcome: PageOutcome<T>): T {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value;
}

/** The error of a failed outcome; fails the test on success. */
export function errorOf(outcome: PageOutcome<unknown>): PageError {
  if (outcome.ok) throw new Error('expected a ComponentError, got success');
  return outcome.error;
}
