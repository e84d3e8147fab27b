import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustedCertificate } from '../../../src/cert/index.js';
import { parseOcspResponse } from '../../../src/cert/trust/revocation/ocsp-response.js';
import { enumeratedOf } from '../../../src/shared/der/der-values.js';
import { childrenOf, readRoot } from '../../../src/shared/der/der-reader.js';
import { explicit, integerFromHex, objectIdentifier, octetString, sequence, tlv } from '../../../src/testing/der/der-writer.js';
import { createTestPki, LocalRevocationServer } from '../../../src/testing/index.js';

// RFC 6960 4.1.1: TBSRequest ::= SEQUENCE { ..., requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions
// OPTIONAL }, Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }. The kit's
// responder read the nonce its own way: the last of two nonces, the last field of a 4-field extension or a second list in
// [2] all passed, where the library's reader refuses them. A harness's responder is to agree with the library, so an empty
// list, which the library reads as no extensions (docs/decisions.md), is no extension here too.

const NONCE = '1.3.6.1.5.5.7.48.1.2';
const TRUE = tlv(0x01, Uint8Array.of(0xff));
const nonce = (bytes: number[]): Uint8Array => sequence(objectIdentifier(NONCE), octetString(octetString(Uint8Array.from(bytes))));

describe("the kit's OCSP responder reads request extensions by the library's Extension reader", () => {
  let server: LocalRevocationServer;
  let certId: Uint8Array;
  beforeAll(async () => {
    server = await LocalRevocationServer.start();
    const pki = await createTestPki({ ocspUrl: server.ocspUrl, crlBaseUrl: server.crlBaseUrl, authorities: ['moica'] });
    server.addAuthority(pki.issuer('moica'));
    const issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
    const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(data).digest());
    certId = sequence(sequence(objectIdentifier('1.3.14.3.2.26'), tlv(0x05, new Uint8Array(0))), octetString(sha1(issuer.subjectDer)), octetString(sha1(issuer.publicKeyBits)), integerFromHex('0a'));
  }, 60_000);
  afterAll(() => server.close());

  /** POSTs an OCSPRequest whose TBSRequest ends with `after` (its [2]) and whose one Request ends with `single`. */
  async function ask(after: Uint8Array[], single: Uint8Array[] = [], id = certId): Promise<{ status: number; body: Uint8Array }> {
    const der = sequence(sequence(sequence(sequence(id, ...single)), ...after));
    const res = await fetch(server.ocspUrl, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: der });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    const [status] = childrenOf(readRoot(body));
    return { status: enumeratedOf(status!, 'responseStatus'), body };
  }

  it('setStatus takes a negative serial as the library spells it (-80 is -128) and answers for that value only', async () => {
    const [algorithm, nameHash, keyHash] = childrenOf(readRoot(certId)).map((n) => readRoot(n.source.subarray(n.start, n.end)));
    const idOf = (content: number[]): Uint8Array =>
      sequence(...[algorithm!, nameHash!, keyHash!].map((n) => n.source.subarray(n.start, n.end)), tlv(0x02, Uint8Array.from(content)));
    server.setStatus('-80', { kind: 'revoked', revokedAt: new Date('2026-01-01T00:00:00Z') });
    const negative = parseOcspResponse((await ask([], [], idOf([0x80]))).body).responses[0];
    expect(negative).toMatchObject({ serialHex: '-80', status: 'revoked' });
    const positive = parseOcspResponse((await ask([], [], idOf([0x00, 0x80]))).body).responses[0];
    expect(positive).toMatchObject({ serialHex: '80', status: 'good' });
  });

  it('answers a well-formed request, echoing its nonce', async () => {
    const { status, body } = await ask([explicit(2, sequence(nonce([1, 2, 3])))], [explicit(0, sequence(sequence(objectIdentifier('1.3.6.1.4.1.99999.1'), octetString(Uint8Array.of(0x05, 0x00)))))]);
    expect(status).toBe(0);
    expect(parseOcspResponse(body).nonce).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('answers malformedRequest (1) to a malformed request extension, not successful and not a crash', async () => {
    const cases: [string, Uint8Array[], Uint8Array[]][] = [
      ['a nonce twice', [explicit(2, sequence(nonce([1]), nonce([2])))], []],
      ['a nonce of 4 fields (a critical flag and two values)', [explicit(2, sequence(sequence(objectIdentifier(NONCE), TRUE, octetString(octetString(Uint8Array.of(1))), octetString(octetString(Uint8Array.of(2))))))], []],
      ['a second list in [2]', [explicit(2, Uint8Array.of(...sequence(nonce([1])), ...sequence(nonce([2]))))], []],
      ['a critical flag that is not a BOOLEAN', [explicit(2, sequence(sequence(objectIdentifier(NONCE), tlv(0x02, Uint8Array.of(1)), octetString(octetString(Uint8Array.of(1))))))], []],
      ['a malformed singleRequestExtensions', [], [explicit(0, sequence(sequence(objectIdentifier(NONCE))))]],
      ['an element after singleRequestExtensions', [], [explicit(0, sequence(nonce([1]))), tlv(0x05, new Uint8Array(0))]],
    ];
    for (const [what, after, single] of cases) expect((await ask(after, single)).status, what).toBe(1);
    // The server goes on answering.
    expect((await ask([explicit(2, sequence(nonce([9])))])).status).toBe(0);
    // An empty list carries nothing: answered, with no nonce to echo.
    expect((await ask([explicit(2, sequence())], [explicit(0, sequence())])).status).toBe(0);
  });
});
