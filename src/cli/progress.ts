import { httpRevocationFetch, type RevocationFetch } from '../cert/trust/revocation/revocation-fetch.js';
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
 * (MOICA's complete CRL is about 20 MB): the library's fetch, with its limits
 * (http(s) only, a timeout, a size cap), and a progress line.
 */
export function progressFetch(progress: Progress, options: { timeoutMs?: number; maxBytes?: number } = {}): RevocationFetch {
  const fetchWithProgress = httpRevocationFetch({
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    onProgress: (received, total, url) => {
      const line = total
        ? `downloading ${url}: ${formatBytes(received)} / ${formatBytes(total)} (${Math.floor((received / total) * 100)}%)`
        : `downloading ${url}: ${formatBytes(received)}`;
      progress.update(line, received === 0);
    },
  });
  return async (url, request) => {
    const response = await fetchWithProgress(url, request);
    progress.update(`downloaded ${url}: ${formatBytes(response.body.length)} (100%); parsing and verifying the CRL…`, true);
    return response;
  };
}
