import { sign as rsaSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, parseCertificate, type LoginVerifier, type VerifiedLogin } from '../../src/cert/index.js';
import { markVerifiedLogin } from '../../src/cert/trust/login/verified-login-mark.js';
import { createTestPki, signLoginToken, type CardHolderCredentials, type TestPki } from '../../src/testing/index.js';
import { cardHolderFromLogin } from '../../src/enroll/adapters/cert.js';
import { parseCardHolder } from '../../src/enroll/domain/card-holder.js';
import { EnrollError, InvalidInputError } from '../../src/enroll/errors.js';
import { childrenOf, encodingOf, readRoot } from '../../src/shared/der/der-reader.js';
import { bitString, encodedString, objectIdentifier, sequence, tlv } from '../../src/testing/der/der-writer.js';

const ORIGIN = 'https://example.gov.tw';
let pki: TestPki;
let challenges: ChallengeIssuer;
let verifier: LoginVerifier;
let session = 0;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica', 'gca', 'moeaca'] });
  challenges = new ChallengeIssuer();
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(...pki.authorities.map((a) => pki.issuer(a).certificate))
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
}, 60_000);

/**
 * A login as the verifier returns it: a fresh challenge, a token signed with the card's key (the signed card number
 * in the CMS when given), then `verify`. `reportedCardNumber` is the component's unsigned `cardSN`, sent beside a
 * PKCS#1 token, which carries no signed card number.
 */
async function login(card: CardHolderCredentials, signed: { cardNumber?: string; reportedCardNumber?: string } = {}): Promise<VerifiedLogin> {
  const sessionId = `s${++session}`;
  const challenge = await challenges.issue(sessionId);
  const tbs = buildLoginMessage({ origin: ORIGIN, challenge: challenge.value });
  const token =
    signed.reportedCardNumber === undefined
      ? await signLoginToken(card, { tbs, ...(signed.cardNumber === undefined ? {} : { cardNumber: signed.cardNumber }) })
      : { ...(await signLoginToken(card, { tbs, signatureType: 'PKCS1' })), cardSN: signed.reportedCardNumber };
  return verifier.verify(token, { sessionId });
}

describe('cardHolderFromLogin (cert layer → enroll layer)', () => {
  it('maps a MOICA login: name, serial, signed card number, ID hint', async () => {
    const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789' });
    const holder = cardHolderFromLogin(await login(card, { cardNumber: 'TP03000012345678' }));
    expect(holder).toMatchObject({ authority: 'MOICA', subjectName: '王小明', cardNumber: 'TP03000012345678', idHint: '6789' });
    // Spelt as the flows store and list it (lower case, no leading zeros), so a backend can compare with ===.
    expect(holder.certificateSerial).toBe(parseCertificate(card.sign.certificate).serialNumber.toLowerCase().replace(/^0+(?=.)/, ''));
    expect(holder.certificateSerial).toMatch(/^[1-9a-f][0-9a-f]*$/);
    // The enroll layer accepts it as is.
    expect(parseCardHolder(holder, 'holder', { requireCardNumber: true }).cardNumber).toBe('TP03000012345678');
  });

  it('spells a negative serial by its octets, as the flows stored it before the profile wrote -<magnitude>', async () => {
    // RFC 5280 forbids a negative serial, but a CA that wrote one still issued (and the trust layer verifies) the
    // certificate: the test PKI pads every serial, so this one is re-signed by the MOICA CA with the INTEGER FF01.
    const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789' });
    const [tbs, algorithm] = childrenOf(readRoot(card.sign.certificate));
    if (tbs === undefined || algorithm === undefined) throw new Error('the test PKI wrote no certificate');
    const fields = childrenOf(tbs).map(encodingOf);
    fields[1] = tlv(0x02, Uint8Array.of(0xff, 0x01));
    const signed = sequence(...fields);
    const certificate = sequence(signed, encodingOf(algorithm), bitString(new Uint8Array(rsaSign('sha256', signed, pki.issuer('moica').privateKey))));
    expect(parseCertificate(certificate).serialNumber).toBe('-FF');
    const holder = cardHolderFromLogin(await login({ ...card, sign: { ...card.sign, certificate } }, { cardNumber: 'TP03000012345678' }));
    // What every earlier release stored for this card, and how CRLs and OCSP name it: not INVALID_INPUT.
    expect(holder.certificateSerial).toBe('ff01');
  });

  // X.501 lets a name value be any type; one that is not text is shown as `#` and hex (`O=#0403010203`). The login
  // verifies (the certificate is readable), but no holder is read from such a subject, nor the CN beside it taken
  // for the company whose O it cannot read.
  it('refuses a holder from a subject whose name value is not text (WRONG_CARD_TYPE), the CN beside an unreadable O included', async () => {
    const octets = tlv(0x04, Uint8Array.of(1, 2, 3));
    const rdn = (oid: string, value: Uint8Array): Uint8Array => tlv(0x31, sequence(objectIdentifier(oid), value));
    const country = rdn('2.5.4.6', encodedString('printable', 'TW'));
    for (const [authority, subject] of [
      ['moeaca', sequence(country, rdn('2.5.4.10', octets), rdn('2.5.4.3', encodedString('utf8', '測試科技')))],
      ['moica', sequence(country, rdn('2.5.4.3', octets), rdn('2.5.4.5', encodedString('printable', 'A123456789012345')))],
    ] as const) {
      const card = await pki.issueCardHolder({ authority });
      const [tbs, algorithm] = childrenOf(readRoot(card.sign.certificate));
      if (tbs === undefined || algorithm === undefined) throw new Error('the test PKI wrote no certificate');
      const fields = childrenOf(tbs).map(encodingOf);
      fields[5] = subject;
      const signed = sequence(...fields);
      const certificate = sequence(signed, encodingOf(algorithm), bitString(new Uint8Array(rsaSign('sha256', signed, pki.issuer(authority).privateKey))));
      const verified = await login({ ...card, sign: { ...card.sign, certificate } });
      expect(verified.profile.subject.text).toContain('=#0403010203');
      expect(() => cardHolderFromLogin(verified)).toThrowError(
        expect.objectContaining({ code: 'WRONG_CARD_TYPE', message: 'the login certificate names no holder: its subject holds a value that is not text' }) as Error,
      );
    }
  });

  it('ignores the unsigned reported card number unless told to trust it', async () => {
    const card = await pki.issueCardHolder({ authority: 'moica' });
    const verified = await login(card, { reportedCardNumber: 'TP03000099999999' });
    expect(verified.reportedCardNumber).toBe('TP03000099999999');
    expect(cardHolderFromLogin(verified).cardNumber).toBeUndefined();
    expect(cardHolderFromLogin(verified, { trustReportedCardNumber: true }).cardNumber).toBe('TP03000099999999');
  });

  it('maps organization identifiers (GCA OID, MOEACA 統一編號)', async () => {
    const gca = await pki.issueCardHolder({ authority: 'gca', organizationOid: '2.16.886.101.20003.20001.20003' });
    expect(cardHolderFromLogin(await login(gca))).toMatchObject({ authority: 'GCA', organizationOid: '2.16.886.101.20003.20001.20003' });
    const moeaca = await pki.issueCardHolder({ authority: 'moeaca', businessId: '04595257' });
    expect(cardHolderFromLogin(await login(moeaca))).toMatchObject({ authority: 'MOEACA', businessId: '04595257' });
  });

  it('refuses a CA certificate as a login, even one marked as the verifier marks its results', () => {
    // The verifier never returns a CA certificate (its key-usage step refuses one); the adapter does not rely on that.
    const root = pki.root.certificate;
    const marked = markVerifiedLogin({
      profile: parseCertificate(root),
      certificate: root,
      chain: [root],
      cardNumber: undefined,
      reportedCardNumber: undefined,
      signingTime: undefined,
      randomNonce: undefined,
      origin: ORIGIN,
      sessionId: 's0',
      revocation: undefined,
    });
    const err = (() => {
      try {
        cardHolderFromLogin(marked);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe('WRONG_CARD_TYPE');
  });
});

// The certificate layer shows a GPKI attribute as the certificate writes it (a profile must read for display
// whatever a CA wrote); the enroll layer matches these values against a typed ID or a directory, so it takes them
// only in the form the facts give: a hint of 4 digits, a 統一編號 of 8 digits with its checksum, nothing around them.
describe('GPKI attributes whose content is not what real certificates carry', () => {
  const CITIZEN = '2.16.886.1.100.3.1.1';
  const issues = (run: () => unknown): [string, string][] => {
    try {
      run();
    } catch (e) {
      if (e instanceof InvalidInputError) return e.issues.map((i) => [i.field, i.code]);
      throw e;
    }
    throw new Error('expected INVALID_INPUT');
  };

  it('an ID hint other than 4 digits: read and shown by the profile, refused by the flows naming holder.idHint', async () => {
    const key = await pki.issueCardHolder({ authority: 'moica' });
    // "9" agreed with every ID ending in 9 and " 6789" was trimmed into a match; the others are as unusable.
    for (const idHint of ['9', '06789', ' 6789', '6789 ', 'A789', '６７８９']) {
      const sign = await pki.issueCertificate({
        issuer: pki.issuer('moica'),
        subject: 'C=TW, CN=王小明',
        keyPair: key.sign,
        keyUsage: ['digitalSignature'],
        gpkiAttributes: { subjectType: CITIZEN, cardType: 'primary', idHint },
      });
      expect(parseCertificate(sign.certificate).identity.idHint, idHint).toBe(idHint);
      const holder = cardHolderFromLogin(await login({ sign } as CardHolderCredentials, { cardNumber: 'TP03000012345678' }));
      expect(holder.idHint, idHint).toBe(idHint);
      expect(issues(() => parseCardHolder(holder, 'holder')), idHint).toEqual([['holder.idHint', 'INVALID_FORMAT']]);
    }
    // The hint real certificates carry is taken.
    const real = cardHolderFromLogin(await login(key, { cardNumber: 'TP03000012345678' }));
    expect(parseCardHolder(real, 'holder').idHint).toBe('1234');
  });

  it('a 統一編號 that is not 8 digits with its checksum as written: shown by the profile, refused by the flows naming holder.businessId', async () => {
    for (const businessId of [' 04595257 ', '04595257 ', '0459525', '04271', '04595258']) {
      const company = await pki.issueCardHolder({ authority: 'moeaca', businessId });
      expect(parseCertificate(company.sign.certificate).identity.businessId, businessId).toBe(businessId);
      const holder = cardHolderFromLogin(await login(company));
      expect(issues(() => parseCardHolder(holder, 'holder')), businessId).toEqual([['holder.businessId', 'INVALID_ID']]);
    }
  });
});
