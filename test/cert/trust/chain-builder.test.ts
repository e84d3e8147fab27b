import { beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, TrustStore, TrustedCertificate } from '../../../src/cert/index.js';
import { buildPaths, MAX_CANDIDATES, MAX_SIGNATURE_CHECKS } from '../../../src/cert/trust/chain/chain-builder.js';
import { LINK_CHECKS, LinkChecks, type LinkedRuleContext } from '../../../src/cert/trust/chain/link-checks.js';
import { signatureRule } from '../../../src/cert/trust/chain/rules/signature-rule.js';
import { realCa } from './helpers/fixtures.js';
import { CA_ID, ROOT_ID, certificate, dn, ecKeyPair, handMadeCas, O, type CertSpec, type KeyPair } from './helpers/hand-made-certificates.js';

// The path builder's own bounds, through its internal interface: how many candidates it examines,
// how many signatures it verifies, and that the signature rule reuses what it verified.

/** A certificate as {@link certificate} writes it, parsed. */
const trusted = (spec: CertSpec): TrustedCertificate => TrustedCertificate.from(certificate(spec));
const rootName = dn([O, 'utf8', 'Root']);
const caName = dn([O, 'utf8', 'CA']);
const leafName = dn([O, 'utf8', 'Leaf']);

let forger: KeyPair;
let root: TrustedCertificate;
let ca: TrustedCertificate;
let leaf: TrustedCertificate;

beforeAll(() => {
  const cas = handMadeCas(rootName, caName);
  forger = ecKeyPair();
  [root, ca] = [TrustedCertificate.from(cas.root), TrustedCertificate.from(cas.ca)];
  leaf = trusted({ serial: 3, issuer: caName, subject: leafName, key: ecKeyPair().publicKey, signer: cas.caKey.privateKey, aki: CA_ID });
});

/** `n` CA certificates named like the CA that claim its key id as their own and their issuer's, signed by `signer`. */
function impostors(n: number, signer: KeyPair): TrustedCertificate[] {
  return Array.from({ length: n }, (_, i) =>
    trusted({ serial: 0x1000 + i, issuer: caName, subject: caName, key: signer.publicKey, signer: signer.privateKey, ca: true, ski: CA_ID, aki: CA_ID }),
  );
}

describe('buildPaths', () => {
  it(`examines at most ${MAX_CANDIDATES} candidates and stops with ISSUER_NOT_FOUND naming the budget`, () => {
    // Impostors signed by the CA's own key would be the worst case; a forger cannot have it, so these
    // carry the forger's key and are consistent among themselves, and the leaf is the forger's too.
    const forgedLeaf = trusted({ serial: 4, issuer: caName, subject: leafName, key: forger.publicKey, signer: forger.privateKey, aki: CA_ID });
    const links = new LinkChecks();
    const built = buildPaths(forgedLeaf, new TrustStore({ anchors: [root] }), impostors(200, forger), { maxDepth: 6, maxSignatureChecks: 1000 }, links);
    expect(built.paths).toEqual([]);
    expect(built.examined).toBe(MAX_CANDIDATES);
    expect(links.verified).toBeLessThanOrEqual(MAX_CANDIDATES);
    expect(built.deadEnd?.code).toBe('ISSUER_NOT_FOUND');
    expect(built.deadEnd?.message).toContain(`within ${MAX_CANDIDATES} candidate issuers`);
  });

  it('drops forged candidates with one signature check each, before following them', () => {
    const links = new LinkChecks();
    const built = buildPaths(leaf, new TrustStore({ anchors: [root] }), [...impostors(30, forger), ca], { maxDepth: 6, maxSignatureChecks: 64 }, links);
    expect(built.paths.map((p) => p.map((c) => c.fingerprint))).toEqual([[leaf.fingerprint, ca.fingerprint, root.fingerprint]]);
    expect(built.examined).toBe(32); // 30 forgeries and the CA above the leaf, the root above the CA
    expect(links.verified).toBe(31); // the leaf under each candidate; the root ends the path unverified
  });

  it(`verifies at most ${MAX_SIGNATURE_CHECKS} carried candidates' signatures, and refuses keys no CA uses without verifying`, async () => {
    const links = new LinkChecks();
    const built = buildPaths(leaf, new TrustStore({ anchors: [root] }), [...impostors(30, forger), ca], { maxDepth: 6 }, links);
    expect([built.paths.length, links.verified, built.deadEnd?.code]).toEqual([0, MAX_SIGNATURE_CHECKS, 'ISSUER_NOT_FOUND']);
    expect(built.deadEnd?.message).toContain(`${MAX_SIGNATURE_CHECKS} signature checks`);
    // A key no CA uses (here RSA-1024; likewise an RSA exponent of 2^32 or more, which costs milliseconds
    // per verification) is dropped before any check.
    const { generateKeyPairSync } = await import('node:crypto');
    const heavy = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const odd = trusted({ serial: 90, issuer: rootName, subject: caName, key: heavy.publicKey, signer: forger.privateKey, ca: true, ski: CA_ID, aki: ROOT_ID });
    const expensive = new LinkChecks();
    expect(buildPaths(leaf, new TrustStore({ anchors: [root] }), [odd, ca], { maxDepth: 6 }, expensive).paths).toHaveLength(1);
    expect(expensive.verified).toBe(1);
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
