/**
 * Races on the account flow that held when walked (both stores): closing an
 * account against a second close, addCard and removeCard; two reviewers on one
 * application; one card added to two accounts at once; two processes migrating
 * an empty schema. Kept so that a change to the lock order shows up here.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { MIGRATIONS } from '../../src/enroll/migrations/index.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { basicDataFor, citizenCard, describeEachStore, getDatabaseUrl, gpsAccountFlow, tokenFromMail } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'company-a' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const clock = new ManualClock('2026-03-02T01:00:00Z');

const settle = <T>(p: Promise<T>): Promise<T | EnrollError> =>
  p.then(
    (v) => v,
    (e: unknown) => {
      // Anything but a typed enrollment error fails the test where it is awaited.
      expect(e).toBeInstanceOf(EnrollError);
      return e as EnrollError;
    },
  );

/** A flow and an application of `cn` in 審核中 with card `n`. */
async function underReview(store: EnrollStore, cns: readonly string[], cn: string, n: number) {
  const gps = gpsAccountFlow(store, clock, { controlNumbers: cns });
  const app = await gps.flow.apply({ controlNumber: cn }, applicant);
  await gps.flow.submitBasicData(app.id, basicDataFor(cn), applicant);
  await gps.flow.bindCard(app.id, { holder: citizenCard(n), contact }, applicant);
  return { ...gps, id: app.id };
}

/** An active account of `cn` with card `n`. */
async function active(store: EnrollStore, cns: readonly string[], cn: string, n: number) {
  const gps = await underReview(store, cns, cn, n);
  await gps.flow.approve(gps.id, reviewer);
  await gps.flow.activate(tokenFromMail(gps.mailer.last()?.text ?? ''));
  gps.mailer.sent.length = 0;
  return gps;
}

describeEachStore('enroll_t_races_account_held', (db) => {
  it('closeAccount twice at once: one closes (one notice), the other NOT_FOUND', async () => {
    const { flow, mailer } = await active(db(), ['H5600123'], 'H5600123', 1);
    const outcomes = await Promise.all([1, 2].map(() => settle(flow.closeAccount('H5600123', reviewer, '卡片遺失'))));
    expect(outcomes.filter((o) => !(o instanceof EnrollError))).toHaveLength(1);
    expect(outcomes.filter((o) => o instanceof EnrollError).map((o) => (o as EnrollError).code)).toEqual(['NOT_FOUND']);
    expect(mailer.sent.filter((m) => m.subject.endsWith('帳號關閉通知'))).toHaveLength(1);
  });

  it('closeAccount against addCard and removeCard: typed outcomes, a closed account keeps no card', async () => {
    const { flow, id } = await active(db(), ['H5600123'], 'H5600123', 1);
    await flow.addCard('H5600123', { holder: citizenCard(2), contact }, applicant);
    const outcomes = await Promise.all([
      settle(flow.addCard('H5600123', { holder: citizenCard(3), contact }, applicant)),
      settle(flow.removeCard('H5600123', citizenCard(2).cardNumber ?? '', applicant)),
      settle(flow.closeAccount('H5600123', reviewer, '卡片遺失')),
    ]);
    expect(outcomes[2]).not.toBeInstanceOf(EnrollError);
    expect((await flow.get(id)).status).toBe('closed');
    expect(await flow.listCards('H5600123')).toEqual([]);
    for (const o of outcomes.slice(0, 2)) if (o instanceof EnrollError) expect(o.code).toBe('NOT_FOUND');
  });

  it('two reviewers approve one application at once: one activation mail, the other INVALID_TRANSITION', async () => {
    const { flow, id, mailer } = await underReview(db(), ['H5600123'], 'H5600123', 1);
    const outcomes = await Promise.all([1, 2, 3].map(() => settle(flow.approve(id, reviewer))));
    expect(outcomes.filter((o) => o instanceof EnrollError).map((o) => (o as EnrollError).code)).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION']);
    expect(mailer.sent).toHaveLength(1);
    expect((await readAuditTrail(db(), { subject: id })).filter((e) => e.event === 'approve')).toHaveLength(1);
  });

  it('one card added to two accounts at once: bound once, the other CARD_ALREADY_BOUND', async () => {
    const cns = ['H5600123', 'H5600124'];
    const a = await active(db(), cns, 'H5600123', 1);
    const b = await active(db(), cns, 'H5600124', 2);
    const outcomes = await Promise.all([
      settle(a.flow.addCard('H5600123', { holder: citizenCard(9), contact }, applicant)),
      settle(b.flow.addCard('H5600124', { holder: citizenCard(9), contact }, applicant)),
    ]);
    expect(outcomes.filter((o) => o instanceof EnrollError).map((o) => (o as EnrollError).code)).toEqual(['CARD_ALREADY_BOUND']);
  });
});

it('postgres: two processes migrating one empty schema at once both succeed, each migration applied once', async (ctx) => {
  const url = await getDatabaseUrl();
  if (url === undefined) return ctx.skip();
  const schema = 'enroll_t_races_migrate';
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  // Two pools stand for two processes: each opens its own store on the same empty schema.
  const pools = [1, 2].map(() => new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` }));
  try {
    const opened = await Promise.all(pools.map((pool) => PgStore.open({ pool })));
    const rows = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.enroll_schema_migrations GROUP BY id`);
    expect(rows.rows).toHaveLength(MIGRATIONS.length);
    expect(rows.rows.every((r) => r.n === 1)).toBe(true);
    await Promise.all(opened.map((s) => s.close()));
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
