/**
 * The demo script (`npx tsx examples/portal/server.ts`) passed no logger, so the portal it runs logged nothing: a
 * 5xx's cause was seen by no one. PORTAL_LOG_LEVEL now has it log at that pino level, as JSON lines on stdout. Here
 * the script runs on a PostgreSQL of its own that the test then stops: the database outage is a 503 whose cause
 * (the refused connection) must be in the log at `error`, while the failed health check, logged at `warn`, must not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStoppablePostgres, type StoppablePostgres } from '../integrations/stoppable-postgres.js';
import { quietPort } from '../support/quiet-port.js';

const server = fileURLToPath(new URL('../../examples/portal/server.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

let pg: StoppablePostgres | undefined;
let child: ChildProcess | undefined;
let stdout = '';
let stderr = '';

beforeAll(async () => {
  pg = await startStoppablePostgres();
}, 120_000);

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    // The whole group: tsx runs the script in a node process of its own, which a kill of tsx alone leaves running.
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
  await pg?.remove();
});

/** Waits until `test` holds for what the script printed so far (or it exits, or `ms` pass). */
async function printed(test: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (child?.exitCode !== null) throw new Error(`the script exited (${String(child?.exitCode)}): ${stderr}`);
    if (Date.now() > until) throw new Error(`not printed within ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The JSON lines of stdout (the demo's own lines are plain text). */
function logLines(): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('with PORTAL_LOG_LEVEL=error the script logs a 5xx and its cause to stdout as JSON, and nothing below error', async (ctx) => {
  if (pg === undefined) return ctx.skip();
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await quietPort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [port, smtp, agent] = ports;
  child = spawn(tsx, [server], {
    cwd: root,
    env: { ...process.env, PORT: String(port), SMTP_PORT: String(smtp), AGENT_PORT: String(agent), DATABASE_URL: pg.url, PORTAL_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so that afterAll ends tsx and the script it runs together.
    detached: true,
  });
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  await printed(() => stdout.includes('入口網'), 90_000);
  const base = `http://127.0.0.1:${port}`;
  expect(logLines()).toEqual([]);

  await pg.stop('fast');
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(503);
  // The reviewer login counts the attempt in the database first: the outage is the answer.
  const login = await fetch(`${base}/review/login`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'password=wrong',
  });
  expect([login.status, ((await login.json()) as { error: { code: string } }).error.code]).toEqual([503, 'STORE_UNAVAILABLE']);
  await printed(() => logLines().length > 0, 10_000);
  const lines = logLines();
  // pino's error level; the request's id and the error, its cause within (the driver's refused connection).
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 50, err: { type: 'EnrollError', code: 'STORE_UNAVAILABLE' } });
  // pino's error serializer writes the cause's stack under the error's own: the driver's, not only twpki's words.
  expect(String((lines[0]?.['err'] as { stack?: unknown } | undefined)?.stack)).toMatch(/\ncaused by: Error: connect ECONNREFUSED/);
  // The warn-level health check stays out, as does any request line (a URL can carry an activation key).
  expect(stdout).not.toContain('health check');
  expect(JSON.stringify(lines)).not.toContain('/review/login');
}, 180_000);
