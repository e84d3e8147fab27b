/**
 * One backend instance in the cross-process race: connects to PostgreSQL
 * (schema private to the test), says "ready", waits for "go" on stdin with
 * the challenge values, consumes all of them at once and prints who won.
 * Each round is one stdin line `{ values, startAt, reverse }`: both workers
 * start at the same instant, one of them walking the values backwards, so
 * their consumes meet in the middle.
 * Usage: node --import tsx challenge-race-worker.ts DATABASE_URL SCHEMA
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { SqlChallengeStore } from '../../src/challenge-store/index.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';

const [url, schema] = process.argv.slice(2);
if (url === undefined || schema === undefined) throw new Error('usage: challenge-race-worker URL SCHEMA');
const pool = new pg.Pool({ connectionString: url, max: 8, options: `-c search_path=${schema}` });
const store = await SqlChallengeStore.open({ store: new PgStore({ pool }) });
// Warm the pool so the race is not decided by who connects first.
await Promise.all(Array.from({ length: 8 }, () => pool.query('SELECT 1')));
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const round = JSON.parse(line) as { values: string[]; startAt: number; reverse: boolean };
  await new Promise((r) => setTimeout(r, Math.max(0, round.startAt - Date.now())));
  const order = round.reverse ? [...round.values].reverse() : round.values;
  const outcome = new Map<string, string | null>();
  await Promise.all(
    order.map(async (v) => {
      const r = await store.consume(v);
      outcome.set(v, r === undefined ? null : r.alreadyUsed ? 'used' : 'won');
    }),
  );
  process.stdout.write(`${JSON.stringify(round.values.map((v) => outcome.get(v) ?? null))}\n`);
}
lines.close();
await pool.end();
