import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, TrustStore, TrustedCertificate } from '../../../src/cert/index.js';
import { buildPaths, MAX_CANDIDATES } from '../../../src/cert/trust/chain/chain-builder.js';
import { LINK_CHECKS, LinkChecks, type LinkedRuleContext } from '../../../src/cert/trust/chain/link-checks.js';
import { signatureRule } from '../../../src/cert/trust/chain/rules/signature-rule.js';
import { fromHex } from '../../../src/shared/bytes.js';
import {
  bitString,
  encodedString,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  smallInteger,
  tlv,
  x509Time,
} from '../../../src/testing/der/der-writer.js';
import { realCa } from './helpers/fixtures.js';

// The path builder's own bounds, through its internal interface: how many candidates it examines,
// how many signatures it verifies, and that the signature rule reuses what it verified.

interface Pair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}
const ecKey = (): Pair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ALG = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
const dn = (org: string): Uint8Array => sequence(setOf(sequence(objectIdentifier('2.5.4.10'), encodedString('utf8', org))));

function certificate(o: { serial: number; issuer: Uint8Array; subject: Uint8Array; key: KeyObject; signer: KeyObject; ski?: string; aki?: string }): TrustedCertificate {
  const ext = (oid: string, value: Uint8Array): Uint8Array => sequence(objectIdentifier(oid), octetString(value));
  const exts = [ext('2.5.29.19', sequence(tlv(0x01, Uint8Array.of(0xff))))];
  if (o.ski !== undefined) exts.push(ext('2.5.29.14', octetString(fromHex(o.ski))));
  if (o.aki !== undefined) exts.push(ext('2.5.29.35', sequence(tlv(0x80, fromHex(o.aki)))));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    smallInteger(o.serial),
    ALG,
    o.issuer,
    sequence(x509Time(new Date('2025-01-01T00:00:00Z')), x509Time(new Date('2030-01-01T00:00:00Z'))),
    o.subject,
    new Uint8Array(o.key.export({ type: 'spki', format: 'der' })),
    explicit(3, sequence(...exts)),
  );
  return TrustedCertificate.from(sequence(tbs, ALG, bitString(new Uint8Array(sign('sha256', tbs, o.signer)))));
}

const ROOT_ID = '11'.repeat(20);
const CA_ID = '22'.repeat(20);
let rootKey: Pair;
let caKey: Pair;
let forger: Pair;
let root: TrustedCertificate;
let ca: TrustedCertificate;
let leaf: TrustedCertificate;

beforeAll(() => {
  [rootKey, caKey, forger] = [ecKey(), ecKey(), ecKey()];
  root = certificate({ serial: 1, issuer: dn('Root'), subject: dn('Root'), key: rootKey.publicKey, signer: rootKey.privateKey, ski: ROOT_ID });
  ca = certificate({ serial: 2, issuer: dn('Root'), subject: dn('CA'), key: caKey.publicKey, signer: rootKey.privateKey, ski: CA_ID, aki: ROOT_ID });
  leaf = certificate({ serial: 3, issuer: dn('CA'), subject: dn('Leaf'), key: ecKey().publicKey, signer: caKey.privateKey, aki: CA_ID });
});

/** `n` CA certificates named like the CA that claim its key id as their own and their issuer's, signed by `signer`. */
function impostors(n: number, signer: Pair): TrustedCertificate[] {
  return Array.from({ length: n }, (_, i) =>
    certificate({ serial: 0x1000 + i, issuer: dn('CA'), subject: dn('CA'), key: signer.publicKey, signer: signer.privateKey, ski: CA_ID, aki: CA_ID }),
  );
}

describe('buildPaths', () => {
  it(`examines at most ${MAX_CANDIDATES} candidates and stops with ISSUER_NOT_FOUND naming the budget`, () => {
    // Impostors signed by the CA's own key would be the worst case; a forger cannot have it, so these
    // carry the forger's key and are consistent among themselves, and the leaf is the forger's too.
    const forgedLeaf = certificate({ serial: 4, issuer: dn('CA'), subject: dn('Leaf'), key: forger.publicKey, signer: forger.privateKey, aki: CA_ID });
    const links = new LinkChecks();
    const built = buildPaths(forgedLeaf, new TrustStore({ anchors: [root] }), impostors(200, forger), { maxDepth: 6 }, links);
    expect(built.paths).toEqual([]);
    expect(built.examined).toBe(MAX_CANDIDATES);
    expect(links.verified).toBeLessThanOrEqual(MAX_CANDIDATES);
    expect(built.deadEnd?.code).toBe('ISSUER_NOT_FOUND');
    expect(built.deadEnd?.message).toContain(`within ${MAX_CANDIDATES} candidate issuers`);
  });

  it('drops forged candidates with one signature check each, before following them', () => {
    const links = new LinkChecks();
    const built = buildPaths(leaf, new TrustStore({ anchors: [root] }), [...impostors(30, forger), ca], { maxDepth: 6 }, links);
    expect(built.paths.map((p) => p.map((c) => c.fingerprint))).toEqual([[leaf.fingerprint, ca.fingerprint, root.fingerprint]]);
    expect(built.examined).toBe(32); // 30 forgeries and the CA above the leaf, the root above the CA
    expect(links.verified).toBe(31); // the leaf under each candidate; the root ends the path unverified
  });

  it('keeps the paths found before the budget ran out', () => {
    const built = buildPaths(leaf, new TrustStore({ anchors: [root], intermediates: [ca] }), impostors(10, forger), { maxDepth: 6, maxCandidates: 3 }, new LinkChecks());
    expect(built.paths).toHaveLength(1);
    expect(built.deadEnd?.message).toContain('within 3 candidate issuers');
  });

  it('does not verify configured intermediates nor anchors while building: the rules and the issuing-chain cache do', () => {
    const links = new LinkChecks();
    buildPaths(leaf, new TrustStore({ anchors: [root], intermediates: [ca] }), [], { maxDepth: 6 }, links);
    expect(links.verified).toBe(0);
  });

  it('the signature rule reuses what building verified: the leaf is verified once per validation', () => {
    const links = new LinkChecks();
    const { paths } = buildPaths(leaf, new TrustStore({ anchors: [root] }), [ca], { maxDepth: 6 }, links);
    expect(links.verified).toBe(1);
    const path = paths[0] ?? [];
    const context: LinkedRuleContext = {
      path,
      at: new Date('2026-06-01T00:00:00Z'),
      leafAlgorithms: AlgorithmPolicy.modern(),
      caAlgorithms: AlgorithmPolicy.withSha1(),
      [LINK_CHECKS]: links,
    };
    signatureRule.check(context);
    expect(links.verified).toBe(2); // only the CA under the root was new
  });

  it('a path takes one subject name and key once: GRCA G2 and its cross certificate are not stacked', () => {
    const g1 = TrustedCertificate.from(realCa('grca-g1'));
    const g2 = TrustedCertificate.from(realCa('grca-g2'));
    const cross = TrustedCertificate.from(realCa('cross-grca-g1-to-g2'));
    const moica = TrustedCertificate.from(realCa('moica-g2'));
    // G2 offered as a mere intermediate: MOICA G2 → G2 → cross → G1 would repeat G2's name and key.
    // (G2 has no AKI, so by name G1 is a candidate issuer of it; the signature rule refuses that path.)
    const built = buildPaths(moica, new TrustStore({ anchors: [g1], intermediates: [g2, cross] }), [], { maxDepth: 6 }, new LinkChecks());
    expect(built.paths.map((p) => p.map((c) => c.fingerprint))).toEqual([
      [moica.fingerprint, g2.fingerprint, g1.fingerprint],
      [moica.fingerprint, cross.fingerprint, g1.fingerprint],
    ]);
  });
});
