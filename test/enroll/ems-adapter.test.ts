import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, InMemoryEmsSource } from '../../src/ems/index.js';
import { EmsLayerAdapter } from '../../src/enroll/adapters/ems.js';
import { parseBasicData } from '../../src/enroll/domain/basic-data.js';
import type { ControlNumber } from '../../src/enroll/domain/identifiers.js';
import { EnrollError } from '../../src/enroll/errors.js';
import type { EmsSource } from '../../src/ems/index.js';
import { basicDataFor } from './fakes.js';

const record = basicDataFor('H5600123');
const adapter = new EmsLayerAdapter(new InMemoryEmsSource([record]));

describe('EMS layer adapter', () => {
  it('refuses a source that is not an EmsSource, and options of the wrong kind or name, when it is built', () => {
    // Before, each was accepted: 5 failed at the first look-up, polcy was dropped for strict, null was a TypeError.
    const source = new InMemoryEmsSource([record]);
    expect(() => new EmsLayerAdapter(5 as never)).toThrow(new RangeError('EmsLayerAdapter: source must be an EmsSource (an object with lookup(controlNumber), such as InMemoryEmsSource or JsonFileEmsSource), not 5'));
    expect(() => new EmsLayerAdapter({} as never)).toThrow(RangeError);
    expect(() => new EmsLayerAdapter(source, { polcy: 'normalized' } as never)).toThrow(
      new RangeError('EmsLayerAdapter: "polcy" is not an option (they are policy, fields)'),
    );
    expect(() => new EmsLayerAdapter(source, 5 as never)).toThrow(new RangeError('EmsLayerAdapter: options must be an object or left out, not 5'));
    expect(() => new EmsLayerAdapter(source, null as never)).toThrow(new RangeError('EmsLayerAdapter: options must be an object or left out, not null'));
  });

  it('passes identical data and maps per-field results', async () => {
    const result = await adapter.verify(parseBasicData(record));
    expect(result.passed).toBe(true);
    expect(result.fields.controlNumber).toBe('match');
    expect(result.fields.mailingAddress).toBe('notCompared');
  });

  it('fails on a different facility address, naming the field', async () => {
    const result = await adapter.verify(parseBasicData({ ...record, facilityAddress: '高雄市前鎮區中山二路1號' }));
    expect(result.passed).toBe(false);
    expect(result.fields.facilityAddress).toBe('mismatch');
    expect(result.fields.companyName).toBe('match');
  });

  it('an unknown control number fails on controlNumber; its facility e-mail is undefined', async () => {
    const result = await adapter.verify(parseBasicData(basicDataFor('H5600999')));
    expect(result).toMatchObject({ passed: false, fields: { controlNumber: 'mismatch' } });
    expect(await adapter.facilityEmail('H5600999' as ControlNumber)).toBeUndefined();
    expect(await adapter.facilityEmail('H5600123' as ControlNumber)).toBe(record.facilityEmail);
  });

  it('refuses options it cannot use when built, not as an EMS failure on the first application', async () => {
    const source = new InMemoryEmsSource([record]);
    // A configuration file's field set ("compared": 1/0, 公司名稱 switched off): used as it stood, a different
    // company passed the comparison.
    const fromConfig = DEFAULT_FIELDS.map((f) => ({ ...f, compared: f.key === 'companyName' ? 0 : f.compared ? 1 : 0 }));
    for (const fields of [fromConfig, { companyName: {} }, []]) {
      expect(() => new EmsLayerAdapter(source, { fields: fields as never }), JSON.stringify(fields).slice(0, 60)).toThrow(
        expect.objectContaining({ name: 'EmsError', code: 'INVALID_FIELD_DEFINITION' }),
      );
    }
    expect(() => new EmsLayerAdapter(source, { policy: 'fuzzy' as never })).toThrow(expect.objectContaining({ code: 'UNKNOWN_POLICY' }));
    // The same set with booleans is used: 公司名稱 not compared, the rest still are.
    const withoutName = DEFAULT_FIELDS.map((f) => ({ ...f, compared: f.compared && f.key !== 'companyName' }));
    const result = await new EmsLayerAdapter(source, { fields: withoutName }).verify(parseBasicData({ ...record, companyName: '完全不同的公司' }));
    expect(result).toMatchObject({ passed: true, fields: { companyName: 'notCompared', controlNumber: 'match' } });
  });

  it('wraps EMS-layer failures in EMS_FAILURE', async () => {
    const broken: EmsSource = { lookup: () => new InMemoryEmsSource([]).lookup('bad control number') };
    const err = await new EmsLayerAdapter(broken).facilityEmail('H5600123' as ControlNumber).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe('EMS_FAILURE');
  });
});
