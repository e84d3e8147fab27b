import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmsError,
  InMemoryEmsSource,
  JsonFileEmsSource,
  verifyApplication,
  type EmsErrorCode,
} from '../../src/ems/index.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

async function rejectsWith(p: Promise<unknown>, code: EmsErrorCode): Promise<EmsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmsError);
  expect((err as EmsError).code).toBe(code);
  return err as EmsError;
}

describe('InMemoryEmsSource', () => {
  const source = new InMemoryEmsSource([EMS_RECORD, { ...EMS_RECORD, controlNumber: 'A0100001', contactName: null }]);

  it('finds a record, normalizing the control number looked up', async () => {
    expect(source.size).toBe(2);
    await expect(source.lookup('H5602270')).resolves.toEqual({ status: 'found', controlNumber: 'H5602270', record: EMS_RECORD });
    const r = await source.lookup(' ｈ５６０２２７０ ');
    expect(r.status).toBe('found');
  });

  it('drops null columns', async () => {
    const r = await source.lookup('A0100001');
    expect(r.status === 'found' && 'contactName' in r.record).toBe(false);
  });

  it('answers a well-formed but unknown control number with a notFound result', async () => {
    await expect(source.lookup('b1234567')).resolves.toEqual({ status: 'notFound', controlNumber: 'B1234567' });
  });

  it('rejects an ill-formed control number with INVALID_CONTROL_NUMBER', async () => {
    const err = await rejectsWith(source.lookup('12345678'), 'INVALID_CONTROL_NUMBER');
    expect(err.field).toBe('controlNumber');
    await rejectsWith(source.lookup('x'.repeat(1_000_000)), 'INVALID_CONTROL_NUMBER');
  });

  it.each([
    ['a non-object', ['x']],
    ['a record without controlNumber', [{ companyName: 'x' }]],
    ['a bad controlNumber', [{ controlNumber: '123' }]],
    ['a non-string value', [{ controlNumber: 'H5602270', companyName: 1 }]],
    ['a duplicate control number (after normalization)', [{ controlNumber: 'H5602270' }, { controlNumber: 'h5602270' }]],
  ])('refuses %s with MALFORMED_RECORD', (_what, records) => {
    expect(() => new InMemoryEmsSource(records)).toThrow(EmsError);
    try {
      new InMemoryEmsSource(records);
    } catch (err) {
      expect((err as EmsError).code).toBe('MALFORMED_RECORD');
    }
  });
});

describe('JsonFileEmsSource', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twpki-ems-'));
    await writeFile(join(dir, 'array.json'), JSON.stringify([EMS_RECORD]));
    await writeFile(join(dir, 'wrapped.json'), JSON.stringify({ records: [EMS_RECORD] }));
    // What Windows tools often write: a byte-order mark before the JSON.
    await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify([EMS_RECORD])}`);
    await writeFile(join(dir, 'broken.json'), '[{"controlNumber":');
    await writeFile(join(dir, 'scalar.json'), '42');
    await writeFile(join(dir, 'bad-record.json'), JSON.stringify([{ controlNumber: 7 }]));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['array.json', 'wrapped.json', 'bom.json'])('reads %s', async (name) => {
    const source = new JsonFileEmsSource(join(dir, name));
    await expect(source.load()).resolves.toBe(1);
    await expect(source.lookup('H5602270')).resolves.toMatchObject({ status: 'found', record: EMS_RECORD });
    await expect(source.lookup('H5602271')).resolves.toEqual({ status: 'notFound', controlNumber: 'H5602271' });
  });

  it.each([
    ['missing.json', 'SOURCE_UNREADABLE'],
    ['broken.json', 'SOURCE_UNREADABLE'],
    ['scalar.json', 'SOURCE_UNREADABLE'],
    ['bad-record.json', 'MALFORMED_RECORD'],
  ] as const)('reports %s as %s', async (name, code) => {
    await rejectsWith(new JsonFileEmsSource(join(dir, name)).lookup('H5602270'), code);
  });

  it('refuses a file over the size limit', async () => {
    const err = await rejectsWith(new JsonFileEmsSource(join(dir, 'array.json'), { maxBytes: 10 }).load(), 'SOURCE_UNREADABLE');
    expect(err.message).toMatch(/limit is 10/);
  });

  it('refuses a path or options of the wrong kind or name when it is built, not at the first look-up', () => {
    // Before, each was accepted: 5 failed at the first look-up, maxbytes was dropped for 64 MiB, NaN lifted the limit.
    expect(() => new JsonFileEmsSource(5 as never)).toThrow(new RangeError("JsonFileEmsSource: path must be the JSON file's path (a non-empty string), not 5"));
    expect(() => new JsonFileEmsSource('')).toThrow(RangeError);
    const path = join(dir, 'array.json');
    expect(() => new JsonFileEmsSource(path, { maxbytes: 10 } as never)).toThrow(new RangeError('JsonFileEmsSource: "maxbytes" is not an option (they are maxBytes)'));
    expect(() => new JsonFileEmsSource(path, 5 as never)).toThrow(new RangeError('JsonFileEmsSource: options must be an object or left out, not 5'));
    for (const maxBytes of [Number.NaN, 0, -1, 1.5, '10']) {
      expect(() => new JsonFileEmsSource(path, { maxBytes: maxBytes as number })).toThrow(
        new RangeError(`JsonFileEmsSource: option maxBytes must be a positive whole number of bytes, not ${typeof maxBytes === 'string' ? '"10"' : String(maxBytes)}`),
      );
    }
  });

  it('retries a failed read on the next lookup', async () => {
    const path = join(dir, 'later.json');
    const source = new JsonFileEmsSource(path);
    await rejectsWith(source.load(), 'SOURCE_UNREADABLE');
    await writeFile(path, JSON.stringify([EMS_RECORD]));
    await expect(source.load()).resolves.toBe(1);
  });
});

describe('verifyApplication', () => {
  const source = new InMemoryEmsSource([EMS_RECORD]);

  it('looks the applicant’s control number up and compares', async () => {
    const v = await verifyApplication(applicationWith({ facilityAddress: '臺北市中正區重慶南路1段122號5樓' }), source);
    expect(v.status).toBe('compared');
    if (v.status !== 'compared') return;
    expect(v.controlNumber).toBe('H5602270');
    expect(v.result.pass).toBe(false);
    expect(v.result.fields.filter((f) => f.pass === false).map((f) => f.field.key)).toEqual(['facilityAddress']);
  });

  it('passes a matching application', async () => {
    const v = await verifyApplication(applicationWith(), source, { policy: 'normalized' });
    expect(v.status === 'compared' && v.result.pass && v.result.policy === 'normalized').toBe(true);
  });

  it('returns notFound for a control number EMS does not hold', async () => {
    await expect(verifyApplication(applicationWith({ controlNumber: 'Z9999999' }), source)).resolves.toEqual({
      status: 'notFound',
      controlNumber: 'Z9999999',
    });
  });

  it('rejects malformed applicant data before any lookup', async () => {
    let lookups = 0;
    const counting = { lookup: (c: string) => { lookups++; return source.lookup(c); } };
    await rejectsWith(verifyApplication({ controlNumber: 'H5602270' }, counting), 'MISSING_FIELD');
    expect(lookups).toBe(0);
  });

  it('refuses options of the wrong kind or name, and a source that is none, before any look-up', async () => {
    let lookups = 0;
    const counting = { lookup: (c: string) => { lookups++; return source.lookup(c); } };
    // Before: polcy was dropped for strict (this application then failed on formatting alone), null a TypeError.
    await expect(verifyApplication(applicationWith(), counting, { polcy: 'normalized' } as never)).rejects.toThrow(
      new RangeError('verifyApplication: "polcy" is not an option (they are policy, fields)'),
    );
    await expect(verifyApplication(applicationWith(), counting, null as never)).rejects.toThrow(
      new RangeError('verifyApplication: options must be an object or left out, not null'),
    );
    expect(lookups).toBe(0);
    await expect(verifyApplication(applicationWith(), 5 as never)).rejects.toThrow(/^verifyApplication: source must be an EmsSource .*not 5$/);
  });

  it('rejects a malformed record from a custom source', async () => {
    const broken = { lookup: () => Promise.resolve({ status: 'found' as const, controlNumber: 'H5602270', record: { controlNumber: 'H5602270' } }) };
    await rejectsWith(verifyApplication(applicationWith(), broken), 'MISSING_FIELD');
  });
});

describe('InMemoryEmsSource given something that is no list of records', () => {
  it.each([null, undefined, 42, {}])('%s is MALFORMED_RECORD, not a TypeError', (records) => {
    expect(() => new InMemoryEmsSource(records as unknown as Iterable<unknown>)).toThrow(expect.objectContaining({ code: 'MALFORMED_RECORD' }));
  });
});
