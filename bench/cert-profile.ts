import { readdirSync, readFileSync } from 'node:fs';
import { parseCertificate } from '../src/cert/profile/index.js';
import { loadX509, type X509Module } from '../src/testing/pki/x509-loader.js';
import { createTestPki, TEST_AUTHORITIES } from '../src/testing/pki/index.js';
import type { BenchResult } from './result.js';

function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
}

/** Real CA certificates plus generated SIGN/KEYX certificates of every authority. */
async function corpus(): Promise<Uint8Array[]> {
  const dir = new URL('../fixtures/ca/', import.meta.url);
  const real = readdirSync(dir)
    .filter((f) => f.endsWith('.pem'))
    .map((f) => pemToDer(readFileSync(new URL(f, dir), 'utf8')));
  const pki = await createTestPki();
  const holders = await Promise.all(TEST_AUTHORITIES.map((authority) => pki.issueCardHolder({ authority })));
  return [...real, ...holders.flatMap((h) => [h.sign.certificate, h.keyx.certificate])];
}

/** Median microseconds per certificate over `rounds` passes of `work` on the whole corpus. */
function perCertificate(certs: readonly Uint8Array[], rounds: number, work: (der: Uint8Array) => unknown): number {
  for (let i = 0; i < 3; i++) for (const der of certs) work(der);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) for (const der of certs) work(der);
    times.push(Number(process.hrtime.bigint() - start) / 1e3 / (20 * certs.length));
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] ?? Number.NaN;
}

/** What a relying party would read with @peculiar/x509 alone to get comparable fields. */
function x509WithFields(x509: X509Module, der: Uint8Array): unknown {
  const cert = new x509.X509Certificate(der);
  return [
    cert.subject,
    cert.issuer,
    cert.serialNumber,
    cert.notBefore,
    cert.notAfter,
    cert.getExtension(x509.KeyUsagesExtension)?.usages,
    cert.getExtension(x509.CertificatePolicyExtension)?.policies,
    cert.getExtension(x509.AuthorityInfoAccessExtension)?.ocsp,
    cert.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints,
    cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
  ];
}

/** Profile parse vs raw @peculiar/x509 parse of the same certificates, in one run. */
export async function benchCertProfile(): Promise<BenchResult[]> {
  const x509 = await loadX509();
  const certs = await corpus();
  const rounds = 15;
  const profile = perCertificate(certs, rounds, (der) => parseCertificate(der));
  const raw = perCertificate(certs, rounds, (der) => new x509.X509Certificate(der));
  const rawFields = perCertificate(certs, rounds, (der) => x509WithFields(x509, der));
  const note = `${certs.length} certificates: real GRCA/MOICA/MOEACA CAs + generated SIGN/KEYX per authority`;
  return [
    {
      name: 'cert: parseCertificate (per certificate)',
      value: profile,
      unit: 'µs',
      baseline: `new x509.X509Certificate ${raw.toFixed(1)} µs`,
      ratio: profile / raw,
      note,
    },
    {
      name: 'cert: parseCertificate vs x509 + reading the same fields',
      value: profile,
      unit: 'µs',
      baseline: `x509 parse + 11 field reads ${rawFields.toFixed(1)} µs`,
      ratio: profile / rawFields,
      note: 'profile also decodes GPKI attributes and recognises the authority',
    },
  ];
}
