import { RevocationError } from '../cert/trust/errors.js';
import type { RevocationFetch } from '../cert/trust/revocation/revocation-fetch.js';
import type { CliIo } from './command.js';

/** A one-line status on the terminal for long work (downloads, parsing). */
export interface Progress {
  /** Replaces the status line (throttled unless `force`). */
  update(text: string, force?: boolean): void;
  /** Writes the final status and ends the line. */
  done(text: string): void;
}

const SILENT: Progress = { update: () => undefined, done: () => undefined };

/**
 * Progress on stderr when it is a terminal and the output is for a person;
 * silent with `--json` or when stderr is a pipe or file, so scripts and logs
 * get no carriage-return noise.
 */
export function terminalProgress(io: CliIo, json: boolean, intervalMs = 100): Progress {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (json || !tty) return SILENT;
  let last = 0;
  return {
    update(text, force = false) {
      const now = Date.now();
      if (!force && now - last < intervalMs) return;
      last = now;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    done(text) {
      io.stderr.write(`\r\x1b[K${text}\n`);
    },
  };
}

/** Byte counts for people: `812 KB`, `20.3 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * A {@link RevocationFetch} for CRL downloads that reports received bytes
 * (MOICA's complete CRL is about 20 MB). Same limits as the library's
 * fetch: http(s) only, a timeout, a size cap.
 */
export function progressFetch(progress: Progress, options: { timeoutMs?: number; maxBytes?: number } = {}): RevocationFetch {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  return async (url, request) => {
    if (!/^https?:/i.test(url)) throw new RevocationError('FETCH_FAILED', `refusing to fetch a non-HTTP URL: ${url}`, { url });
    try {
      const init: RequestInit = { method: request.method, headers: request.headers, signal: AbortSignal.timeout(timeoutMs) };
      if (request.body !== undefined) init.body = request.body;
      const res = await fetch(url, init);
      const total = Number(res.headers.get('content-length') ?? '0');
      if (total > maxBytes) throw new Error(`body of ${total} bytes exceeds ${maxBytes}`);
      const chunks: Uint8Array[] = [];
      let received = 0;
      const show = (): string =>
        total > 0
          ? `downloading ${url}: ${formatBytes(received)} / ${formatBytes(total)} (${Math.floor((received / total) * 100)}%)`
          : `downloading ${url}: ${formatBytes(received)}`;
      progress.update(show(), true);
      if (res.body !== null) {
        for await (const chunk of res.body) {
          received += chunk.length;
          if (received > maxBytes) throw new Error(`body exceeds ${maxBytes} bytes`);
          chunks.push(chunk);
          progress.update(show());
        }
      }
      progress.update(`downloaded ${url}: ${formatBytes(received)} (100%); parsing and verifying the CRL…`, true);
      const body = new Uint8Array(received);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
      return { status: res.status, body };
    } catch (err) {
      if (err instanceof RevocationError) throw err;
      throw new RevocationError('FETCH_FAILED', `fetching ${url} failed: ${(err as Error).message}`, { url, cause: err });
    }
  };
}
