import { describe, expect, it } from 'vitest';
import { ChainValidationError, ChainValidator, TrustStore } from '../../../src/cert/index.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { realCa } from './helpers/fixtures.js';

const at = new Date('2026-06-01T00:00:00Z');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainValidationError) return err.code;
    throw err;
  }
  return undefined;
}

describe('chains of the real GRCA/MOICA/MOEACA certificates', () => {
  it('MOICA G2 chains to GRCA G2 by key identifier, not by the shared DN', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g2')] }));
    const chain = v.validate(realCa('moica-g2'), { at });
    expect(chain.path.map((c) => c.subjectKeyId)).toEqual([
      'fa9b3467090a9822f762488b8226a645c5c322a4',
      'd5671de09c7a2c9ccbc598e71d07262a86ec74cd',
    ]);
  });

  it('MOICA G2 chains to GRCA G1 through the cross certificate when only G1 is trusted', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g1')], intermediates: [realCa('cross-grca-g1-to-g2')] }));
    const chain = v.validate(realCa('moica-g2'), { at });
    expect(chain.path).toHaveLength(3);
    expect(chain.path[1]?.authorityKeyId).toBe('ccccefcc2960a43bb192b63cfa32628fac25153b');
    expect(chain.anchor.subjectKeyId).toBe('ccccefcc2960a43bb192b63cfa32628fac25153b');
  });

  it('without the cross certificate, G1 alone does not anchor MOICA G2', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g1')] }));
    expect(codeOf(() => v.validate(realCa('moica-g2'), { at }))).toBe('ISSUER_NOT_FOUND');
  });

  it('MOICA G3 chains to GRCA G3, and not to G2 although the MOICA DN is the same', () => {
    expect(new ChainValidator(new TrustStore({ anchors: [realCa('grca-g3')] })).validate(realCa('moica-g3'), { at }).anchor.subject()).toContain(
      'G3',
    );
    const onlyG2 = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g2')] }));
    expect(codeOf(() => onlyG2.validate(realCa('moica-g3'), { at }))).toBe('ISSUER_NOT_FOUND');
  });

  it('MOEACA G2 chains to GRCA G2', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g2')] }));
    expect(v.validate(realCa('moeaca-g2'), { at }).path).toHaveLength(2);
  });

  it('MOICA G1 was valid in 2020 under GRCA G1 and is expired now', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g1')] }));
    expect(v.validate(realCa('moica-g1'), { at: new Date('2020-01-01T00:00:00Z') }).path).toHaveLength(2);
    expect(codeOf(() => v.validate(realCa('moica-g1'), { at }))).toBe('CHAIN_CERT_EXPIRED');
  });

  it('fails closed with no anchors', () => {
    const v = new ChainValidator(new TrustStore({ anchors: [], intermediates: [realCa('grca-g2')] }));
    expect(codeOf(() => v.validate(realCa('moica-g2'), { at }))).toBe('CHAIN_NO_TRUST_ANCHORS');
  });

  it('a GCA-like certificate whose issuing CA is unavailable fails with ISSUER_NOT_FOUND naming the issuer', async () => {
    const pki = await createTestPki({ now: at });
    const holder = await pki.issueCardHolder({ authority: 'gca' });
    const v = new ChainValidator(
      new TrustStore({ anchors: [realCa('grca-g1'), realCa('grca-g2'), realCa('grca-g3')], intermediates: [realCa('moica-g2'), realCa('moica-g3'), realCa('moeaca-g2')] }),
    );
    let error: unknown;
    try {
      v.validate(holder.sign.certificate, { at });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChainValidationError);
    expect((error as ChainValidationError).code).toBe('ISSUER_NOT_FOUND');
    expect((error as ChainValidationError).message).toMatch(/issuer of .* not found/);
  });
});
