import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type VerifiedLogin } from '../../src/cert/index.js';
import { createTestPki, type TestPki } from '../../src/testing/pki/index.js';
import { cardHolderFromLogin } from '../../src/enroll/adapters/cert.js';
import { parseCardHolder } from '../../src/enroll/domain/card-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki({ now: new Date('2026-03-02T00:00:00Z') });
});

/** A VerifiedLogin as the login verifier returns it, for a given signer certificate. */
function login(certificate: Uint8Array, cardNumber?: string, reportedCardNumber?: string): VerifiedLogin {
  return {
    profile: parseCertificate(certificate),
    certificate,
    chain: [certificate],
    cardNumber,
    reportedCardNumber,
    signingTime: undefined,
    randomNonce: undefined,
    origin: 'https://example.gov.tw',
    sessionId: 's1',
    revocation: undefined,
  };
}

describe('cardHolderFromLogin (cert layer → enroll layer)', () => {
  it('maps a MOICA login: name, serial, signed card number, ID hint', async () => {
    const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789' });
    const holder = cardHolderFromLogin(login(card.sign.certificate, 'TP03000012345678', 'XX00000000000000'));
    expect(holder).toMatchObject({ authority: 'MOICA', subjectName: '王小明', cardNumber: 'TP03000012345678', idHint: '6789' });
    // Spelt as the flows store and list it (lower case, no leading zeros), so a backend can compare with ===.
    expect(holder.certificateSerial).toBe(parseCertificate(card.sign.certificate).serialNumber.toLowerCase().replace(/^0+(?=.)/, ''));
    expect(holder.certificateSerial).toMatch(/^[1-9a-f][0-9a-f]*$/);
    // The enroll layer accepts it as is.
    expect(parseCardHolder(holder, 'holder', { requireCardNumber: true }).cardNumber).toBe('TP03000012345678');
  });

  it('ignores the unsigned reported card number unless told to trust it', async () => {
    const card = await pki.issueCardHolder({ authority: 'moica' });
    expect(cardHolderFromLogin(login(card.sign.certificate, undefined, 'TP03000099999999')).cardNumber).toBeUndefined();
    expect(cardHolderFromLogin(login(card.sign.certificate, undefined, 'TP03000099999999'), { trustReportedCardNumber: true }).cardNumber).toBe(
      'TP03000099999999',
    );
  });

  it('maps organization identifiers (GCA OID, MOEACA 統一編號)', async () => {
    const gca = await pki.issueCardHolder({ authority: 'gca', organizationOid: '2.16.886.101.20003.20001.20003' });
    expect(cardHolderFromLogin(login(gca.sign.certificate))).toMatchObject({ authority: 'GCA', organizationOid: '2.16.886.101.20003.20001.20003' });
    const moeaca = await pki.issueCardHolder({ authority: 'moeaca', businessId: '04595257' });
    expect(cardHolderFromLogin(login(moeaca.sign.certificate))).toMatchObject({ authority: 'MOEACA', businessId: '04595257' });
  });

  it('refuses a CA certificate as a login', () => {
    const err = (() => {
      try {
        cardHolderFromLogin(login(pki.root.certificate));
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe('WRONG_CARD_TYPE');
  });
});
