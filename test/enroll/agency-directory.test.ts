/** StaticAgencyDirectory takes a configuration file's plain strings, checked as the flows check input. */
import { expect, it } from 'vitest';
import { InvalidInputError, StaticAgencyDirectory, type AgencyEntry } from '../../src/enroll/index.js';

it('takes plain strings (no parse step) and finds by OID, agency code and name', async () => {
  const fromJson = JSON.parse('[{"oid":"2.16.886.101.20003.20001.20003","name":"內政部消防署","agencyCode":"A1234"},{"oid":"2.16.886.101.90001","name":"測試公司","businessId":"04595257"}]') as AgencyEntry[];
  const directory = new StaticAgencyDirectory(fromJson);
  expect((await directory.findByAgencyCode('A1234'))?.name).toBe('內政部消防署');
  expect((await directory.findByOid('2.16.886.101.90001' as never))?.businessId).toBe('04595257');
  expect((await directory.searchByName('消防', 5)).map((a) => a.oid)).toEqual(['2.16.886.101.20003.20001.20003']);
});

it('a bad entry is INVALID_INPUT naming each bad field, not a directory that never matches', () => {
  const err = (() => {
    try {
      new StaticAgencyDirectory([
        { oid: '2.16.886.101.1', name: '好' },
        { oid: 'not-an-oid', name: '' },
        { oid: '2.16.886.101.2', name: '公司', businessId: '04595258' },
        null as never,
      ]);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as InvalidInputError).issues.map((i) => i.field)).toEqual(['agencies[1].oid', 'agencies[1].name', 'agencies[2].businessId', 'agencies[3].oid', 'agencies[3].name']);
  expect(() => new StaticAgencyDirectory('x' as never)).toThrow(InvalidInputError);
});
