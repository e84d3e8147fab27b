import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CertificateParseError,
  ChainValidationError,
  ChallengeIssuer,
  LoginVerifierBuilder,
  MAX_TOKEN_CHARS,
  SignatureVerificationError,
  SignedDocumentVerifierBuilder,
  TrustedCertificate,
  parseCertificate,
} from '../../../src/cert/index.js';
import { base64Strict, fromPemOrDer, pemBlocks, splitPemBundle } from '../../../src/cert/encoding/pem.js';
import { realCa } from '../trust/helpers/fixtures.js';

const G3 = realCa('moica-g3');
const G3_DER = fromPemOrDer(G3);

describe('the one PEM/base64 decoder', () => {
  it('finds blocks in order, ignores text around them, and pairs BEGIN with the next END of its label', () => {
    const bundle = `notes\n${G3}\nmore notes\n${realCa('grca-g3')}`;
    expect(pemBlocks(bundle).map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE']);
    expect(splitPemBundle(bundle)).toHaveLength(2);
    // No nesting (RFC 7468): a BEGIN abandons a block still open.
    expect(pemBlocks('-----BEGIN A-----\nAAAA\n-----BEGIN B-----\nBBBB\n-----END B-----\n-----END A-----')).toEqual([{ label: 'B', body: '\nBBBB\n' }]);
    expect(pemBlocks('-----BEGIN A-----\nAAAA\n')).toEqual([]);
    expect(Buffer.from(fromPemOrDer(`-----BEGIN PKCS7-----\nAAEC\n-----END PKCS7-----`)).toString('hex')).toBe('000102');
  });

  it('reads any label RFC 7468 allows (printable ASCII, spaces or single hyphens between), and no other', () => {
    for (const label of ['PKCS #7 SIGNED DATA', 'X509 CRL', 'NEW CERTIFICATE REQUEST', 'RSA-PRIVATE KEY', 'cms', 'A', 'X509  CRL']) {
      expect(pemBlocks(`-----BEGIN ${label}-----\nAAEC\n-----END ${label}-----`), label).toEqual([{ label, body: '\nAAEC\n' }]);
    }
    // Spaces around the label, which the old [A-Z0-9 ] rule took, are not part of it.
    expect(pemBlocks('-----BEGIN  CERTIFICATE -----\nAAEC\n-----END CERTIFICATE  -----')).toEqual([{ label: 'CERTIFICATE', body: '\nAAEC\n' }]);
    // Two hyphens in a row, a control character, and a label past 64 characters.
    for (const label of ['A--B', 'A\tB', 'A'.repeat(65)]) {
      expect(pemBlocks(`-----BEGIN ${label}-----\nAAEC\n-----END ${label}-----`), JSON.stringify(label)).toEqual([]);
    }
  });

  it('decodes standard and URL base64, with whitespace and optional padding, and refuses everything else', () => {
    expect(Buffer.from(base64Strict(' AAEC\n/w== ')).toString('hex')).toBe('000102ff');
    expect(Buffer.from(base64Strict('AAEC_w')).toString('hex')).toBe('000102ff');
    for (const bad of ['', '   ', 'AA!A', 'AAEC+w_-', 'AAECA', 'AA==AA', 'AAE===', '====']) {
      expect(() => base64Strict(bad), bad).toThrow(TypeError);
    }
  });

  it('agrees with the rules on any text: canonical text (native fast path) and the rest (checked path) alike', () => {
    // The rules, stated independently: whitespace ignored, one alphabet, data then at most two '='.
    const oracle = (text: string): string | undefined => {
      const body = text.replace(/[\t\n\v\f\r ]/g, '');
      const m = /^([A-Za-z0-9+/_-]+)(={0,2})$/.exec(body);
      if (m === null) return undefined;
      const data = m[1] as string;
      const url = /[-_]/.test(data);
      if ((url && /[+/]/.test(data)) || data.length % 4 === 1) return undefined;
      return Buffer.from(data, url ? 'base64url' : 'base64').toString('hex');
    };
    const decode = (text: string): string | undefined => {
      try {
        return Buffer.from(base64Strict(text)).toString('hex');
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        return undefined;
      }
    };
    const chars = fc.constantFrom(...'AQgw+/-_= \n!'.split(''));
    fc.assert(fc.property(fc.array(chars, { maxLength: 24 }).map((a) => a.join('')), (text) => decode(text) === oracle(text)), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const hex = Buffer.from(bytes).toString('hex');
        const padded = Buffer.from(bytes).toString('base64');
        for (const text of [padded, padded.replace(/=+$/, ''), Buffer.from(bytes).toString('base64url'), ` ${padded}\n`]) {
          expect(decode(text)).toBe(hex);
          expect(oracle(text)).toBe(hex);
        }
      }),
    );
  });

  it('serves DER, PEM, PEM in bytes and bare base64 alike', () => {
    const b64 = Buffer.from(G3_DER).toString('base64');
    for (const input of [G3_DER, G3, new Uint8Array(Buffer.from(G3)), b64]) {
      expect(TrustedCertificate.from(input).fingerprint).toBe(TrustedCertificate.from(G3_DER).fingerprint);
      expect(parseCertificate(input).serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
    }
  });

  it('the profile and the trust layer take the same block: the first certificate one, whatever comes before it', () => {
    const body = Buffer.from(G3_DER).toString('base64');
    const request = '-----BEGIN CERTIFICATE REQUEST-----\nAAEC\n-----END CERTIFICATE REQUEST-----\n';
    for (const text of [`${request}${G3}`, `${request}-----BEGIN X509 CERTIFICATE-----\n${body}\n-----END X509 CERTIFICATE-----\n`]) {
      expect(parseCertificate(text).serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
      expect(TrustedCertificate.from(text).fingerprint).toBe(TrustedCertificate.from(G3_DER).fingerprint);
      expect(TrustedCertificate.from(new Uint8Array(Buffer.from(text))).fingerprint).toBe(TrustedCertificate.from(G3_DER).fingerprint);
    }
    expect(splitPemBundle(`${request}-----BEGIN X509 CERTIFICATE-----\n${body}\n-----END X509 CERTIFICATE-----\n${G3}`)).toHaveLength(2);
  });

  it("refuses OpenSSL's TRUSTED CERTIFICATE (its trust settings would be dropped unread) in both layers, saying how to convert it", () => {
    // openssl x509 -trustout: the certificate followed by OpenSSL's X509_CERT_AUX (here: an empty reject list).
    const aux = Buffer.concat([Buffer.from(G3_DER), Buffer.from([0x30, 0x04, 0xa0, 0x02, 0x30, 0x00])]).toString('base64');
    const trusted = `-----BEGIN TRUSTED CERTIFICATE-----\n${aux}\n-----END TRUSTED CERTIFICATE-----\n`;
    expect(() => parseCertificate(trusted)).toThrow(expect.objectContaining({ code: 'BAD_PEM', message: expect.stringContaining('openssl x509 -in FILE') }) as Error);
    for (const input of [trusted, new Uint8Array(Buffer.from(trusted))]) {
      expect(() => TrustedCertificate.from(input)).toThrow(expect.objectContaining({ code: 'MALFORMED_CERTIFICATE', message: expect.stringContaining('openssl x509 -in FILE') }) as Error);
    }
  });
});

/** This process's CPU time in ms: unlike wall time, it does not grow when other processes share the cores. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU times of `runs` runs after one warm-up, fastest first. */
function cpuTimes(run: () => unknown, runs = 5): number[] {
  run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = cpuMs();
    run();
    times.push(cpuMs() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Median CPU time of `runs` runs after one warm-up. */
function median(run: () => unknown, runs = 5): number {
  return cpuTimes(run, runs)[Math.floor(runs / 2)] as number;
}

async function medianAsync(run: () => Promise<unknown>, runs = 5): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = cpuMs();
    await run();
    times.push(cpuMs() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

function expectTypedFailure(run: () => unknown, type: abstract new (...args: never[]) => Error): () => void {
  return () => {
    let thrown: unknown;
    try {
      run();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(type);
  };
}

// Inputs that made the old backtracking PEM pattern quadratic (37 s for the first at 1 MiB).
const ADVERSARIAL: Record<string, (bytes: number) => string> = {
  'unclosed BEGIN lines': (n) => '-----BEGIN X-----\n'.repeat(Math.floor(n / 18)),
  'BEGIN lines of distinct labels': (n) => Array.from({ length: Math.floor(n / 24) }, (_, i) => `-----BEGIN L${i}-----\n`).join(''),
  'unclosed BEGIN CERTIFICATE lines': (n) => '-----BEGIN CERTIFICATE-----\n'.repeat(Math.floor(n / 28)),
  'END lines without BEGIN': (n) => '-----END X-----\n'.repeat(Math.floor(n / 16)),
  'a run of dashes': (n) => '-'.repeat(n),
};
const MIB = 1 << 20;

describe('PEM/base64 input decodes or fails in linear time (issue 15)', () => {
  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(`${name}: 1 MiB fails fast with a typed error, and 4× the input costs about 4× the time`, () => {
      const big = make(MIB);
      const small = make(MIB / 4);
      expect(big.length).toBeGreaterThan(MIB * 0.85);
      expect(big.length).toBeLessThanOrEqual(MIB);
      // Each entry point that takes PEM text, timed on its own: every one must stay linear.
      const decoders: Record<string, (input: string) => () => void> = {
        parseCertificate: (input) => expectTypedFailure(() => parseCertificate(input), CertificateParseError),
        'TrustedCertificate.from': (input) => expectTypedFailure(() => TrustedCertificate.from(input), ChainValidationError),
        splitPemBundle: (input) => () => expect(splitPemBundle(input)).toEqual([]),
      };
      for (const [decoder, decode] of Object.entries(decoders)) {
        const big5 = cpuTimes(decode(big));
        const small5 = cpuTimes(decode(small));
        // Generous: the quadratic decoder needed 37 s here; linear work is a few milliseconds of CPU.
        expect(big5[2], decoder).toBeLessThan(50);
        // Linear: ×4; quadratic: ×16. Fastest runs compared (a collection or a busy sibling thread only adds time);
        // the small input's time is floored at 2 ms against timer granularity.
        expect((big5[0] as number) / Math.max(small5[0] as number, 2), decoder).toBeLessThan(8);
      }
    });
  }

  it('a login token at the size cap built the same way is refused fast at the token-format step', async () => {
    const verifier = new LoginVerifierBuilder()
      .withTrustAnchors(G3)
      .withAllowedOrigins('https://a.test')
      .withChallenges(new ChallengeIssuer())
      .withoutRevocationCheck()
      .build();
    // Each 18-character line is 19 characters of JSON (the newline is escaped); two such fields fill the cap.
    const field = '-----BEGIN X-----\n'.repeat(Math.floor((MAX_TOKEN_CHARS - 200) / (2 * 19)));
    const token = JSON.stringify({ signatureType: 'PKCS7', tbs: 'x', signature: field, certb64: field });
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_CHARS);
    expect(token.length).toBeGreaterThan(MAX_TOKEN_CHARS * 0.95);
    const time = await medianAsync(() =>
      expect(verifier.verify(token, { sessionId: 's' })).rejects.toMatchObject({ step: 'token-format', code: 'TOKEN_MALFORMED' }),
    );
    expect(time).toBeLessThan(50);
  });

  it('a 1 MiB adversarial signed document is refused fast at the document-format step', async () => {
    const verifier = new SignedDocumentVerifierBuilder().withTrustAnchors(G3).withoutRevocationCheck().build();
    const signature = '-----BEGIN X-----\n'.repeat(Math.floor(MIB / 18));
    const time = await medianAsync(async () => {
      const err = await verifier.verify({ format: 'cms', signature }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SignatureVerificationError);
      expect(err).toMatchObject({ step: 'document-format', code: 'DOCUMENT_MALFORMED' });
    });
    expect(time).toBeLessThan(50);
  });
});
