/**
 * One turn of the event loop's I/O phase before every test. Vitest's forks talk to the main process over IPC and
 * give up on a reply after 60 s ("[vitest-worker]: Timeout calling onTaskUpdate", which fails a run whose tests
 * all passed). Tests that compute synchronously for seconds (compiling TypeScript in-process, bundling, PGlite's
 * WebAssembly) separated only by microtasks left the replies unread past that: the check phase comes after the
 * poll phase, so a setImmediate reads them.
 */
import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
