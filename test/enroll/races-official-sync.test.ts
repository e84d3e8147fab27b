/**
 * Two first syncs of one member at once (the host's sync job and its admin page, say): neither saw the other's row
 * when it locked the member, and the second's INSERT met the first's row only once the first had committed. The second
 * then works as a later sync would: a 停用 it told is checked against the activation the first recorded, and a 停用
 * both told is audited once.
 */
import { expect, it } from 'vitest';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { ManualClock, OfficialAccountFlow, StaticAgencyDirectory, type AgencyOid } from '../../src/enroll/index.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { FakePersonnelSystem, NFA, claire, host } from './official-fixtures.js';
import { useRaceStore, type RaceStore } from './races-pg.js';

const clock = new ManualClock('2026-03-02T01:00:00Z');
const raceStore = useRaceStore('enroll_t_races_official_sync');

function flowOn(r: RaceStore): OfficialAccountFlow {
  return new OfficialAccountFlow({
    store: r.store,
    clock,
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
    personnel: new FakePersonnelSystem(),
  });
}

it('postgres: a first sync telling a 停用 before the activation a concurrent first sync recorded is OUT_OF_RANGE; nothing written', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race);
  const activatedAt = '2026-03-01T02:30:00.000Z';
  // The other first sync of the member, activated: its row inserted, not yet committed.
  const release = await race.hold((tx) =>
    tx.query(
      'INSERT INTO enroll_official_members (member_id, name, national_id, email, created_at, updated_at, activated_at) VALUES ($1,$2,$3,$4,$5,$5,$6)',
      [claire.memberId, claire.name, claire.nationalId, claire.email, clock.now().toISOString(), activatedAt],
    ),
  );
  const told = flow.syncMember({ ...claire, activatedAt: null, deactivatedAt: new Date('2026-03-01T00:00:00Z') }, host).then(
    (m) => m,
    (e: unknown) => e,
  );
  await race.waitForBlocked(1);
  await release();
  const outcome = await told;
  expect(outcome).toBeInstanceOf(InvalidInputError);
  expect((outcome as InvalidInputError).issues.map((i) => [i.field, i.code, i.reason])).toEqual([
    ['deactivatedAt', 'OUT_OF_RANGE', `must not be before the account's recorded activation (activatedAt ${activatedAt}): an account is deactivated after it was activated`],
  ]);
  const after = await flow.member(claire.memberId);
  expect([after.activatedAt, after.deactivatedAt, after.version]).toEqual([activatedAt, undefined, 0]);
  expect(await readAuditTrail(race.store, { flow: 'officialAccount', subject: claire.memberId })).toEqual([]);
});

it('postgres: two first syncs telling 停用 at once write one 帳號已停用 line, the one whose instant was recorded', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race);
  const admin = { role: 'system', id: 'egov-admin' } as const;
  const told = { [host.id]: '2026-03-01T00:00:00.000Z', [admin.id]: '2026-03-01T06:00:00.000Z' };
  // A row both syncs wait on at their INSERT and that then goes away: each found no member when it locked it, and
  // the one that waits longer meets the other's row only once the other has committed.
  const release = await race.hold(
    (tx) =>
      tx.query('INSERT INTO enroll_official_members (member_id, name, national_id, email, created_at, updated_at, activated_at) VALUES ($1,$2,$3,$4,$5,$5,NULL)', [
        claire.memberId,
        claire.name,
        claire.nationalId,
        claire.email,
        clock.now().toISOString(),
      ]),
    { rollBack: true },
  );
  const syncs = [host, admin].map((actor) => flow.syncMember({ ...claire, activatedAt: null, deactivatedAt: new Date(told[actor.id] as string) }, actor));
  await race.waitForBlocked(2);
  await release();
  const answers = await Promise.all(syncs);

  const trail = (await readAuditTrail(race.store, { flow: 'officialAccount', subject: claire.memberId })).filter((e) => e.event === 'syncMember');
  expect(trail.map((e) => e.reason ?? '-')).toEqual(['帳號已停用', '-']);
  expect(trail.map((e) => e.actor.id).sort()).toEqual([admin.id, host.id]);
  // The first to commit recorded its instant and wrote the line; the other found the member deactivated already.
  const recorded = told[trail[0]?.actor.id as string];
  expect(answers.map((m) => m.deactivatedAt)).toEqual([recorded, recorded]);
  const after = await flow.member(claire.memberId);
  expect([after.activatedAt, after.deactivatedAt, after.version]).toEqual([undefined, recorded, 1]);
});
