import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signatureAlgorithmFromOid, verifyWith } from '../../cert/trust/algorithms.js';
import { ChainValidationError } from '../../cert/trust/errors.js';
import { ChainValidator, type ValidatedChain } from '../../cert/trust/chain/chain-validator.js';
import { splitPemBundle } from '../../cert/trust/pem.js';
import { TrustStore } from '../../cert/trust/trust-store.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import { EXIT_USAGE, UsageError, writeJson, writeLines, type CliCommand, type CliIo } from '../command.js';

const USAGE = [
  'twpki cert verify FILE --anchors DIR [--at ISO-DATE] [--json]',
  '  FILE   the certificate (PEM, DER or base64); further PEM certificates in it are intermediates',
  '  DIR    *.pem/*.crt/*.cer/*.der: self-signed ones are trust anchors (GRCA G1/G2/G3),',
  '         the others (issuing CAs, the GRCA G1→G2 cross certificate) are intermediates',
  'Exit status: 0 trusted, 1 not trusted, 2 usage or unreadable input.',
].join('\n');

const CERT_FILE = /\.(pem|crt|cer|der)$/i;

/** Certificates in one file: every PEM block, or the file as one DER/base64 certificate. */
async function certificatesIn(path: string): Promise<TrustedCertificate[]> {
  const bytes = await readFile(path);
  const text = bytes.toString('latin1');
  const blocks = text.includes('-----BEGIN CERTIFICATE-----') ? splitPemBundle(text) : [new Uint8Array(bytes)];
  return blocks.map((b) => TrustedCertificate.from(b));
}

function isSelfSigned(cert: TrustedCertificate): boolean {
  if (!cert.isSelfIssued()) return false;
  const alg = signatureAlgorithmFromOid(cert.signatureAlgorithmOid);
  return alg?.digest !== undefined && verifyWith(cert.publicKey(), alg.scheme, alg.digest, cert.tbs, cert.signature);
}

function describe(cert: TrustedCertificate): Record<string, string | undefined> {
  return {
    subject: cert.subject(),
    issuer: cert.issuer(),
    serialNumber: cert.serialHex.toUpperCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    subjectKeyId: cert.subjectKeyId?.toUpperCase(),
    sha256: cert.fingerprint,
  };
}

function fail(io: CliIo, json: boolean, code: string, message: string): number {
  if (json) writeJson(io, { error: { code, message } });
  else io.stderr.write(`twpki cert verify: ${message}\n`);
  return EXIT_USAGE;
}

/** `twpki cert verify FILE --anchors DIR [--at ISO-DATE] [--json]`: builds and validates the chain. */
export const certVerifyCommand: CliCommand = {
  name: 'cert verify',
  summary: 'Validate a certificate chain to trust anchors at a given time',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: { anchors: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean', default: false } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\nusage: ${USAGE}`);
    }
    const json = parsed.values.json === true;
    const [file, ...extra] = parsed.positionals;
    if (file === undefined || extra.length > 0) throw new UsageError(`expected exactly one FILE\nusage: ${USAGE}`);
    const dir = parsed.values.anchors;
    if (dir === undefined) throw new UsageError(`--anchors DIR is required (validation never trusts by default)\nusage: ${USAGE}`);
    let at = new Date();
    if (parsed.values.at !== undefined) {
      at = new Date(parsed.values.at);
      if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO date: ${parsed.values.at}`);
    }

    let target: TrustedCertificate;
    let carried: TrustedCertificate[];
    const anchors: TrustedCertificate[] = [];
    const intermediates: TrustedCertificate[] = [];
    try {
      const inFile = await certificatesIn(file);
      if (inFile[0] === undefined) return fail(io, json, 'MALFORMED_CERTIFICATE', `${file}: no certificate found`);
      [target, ...carried] = inFile as [TrustedCertificate, ...TrustedCertificate[]];
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => CERT_FILE.test(n)).sort();
      } catch (error) {
        return fail(io, json, 'UNREADABLE_FILE', `cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      for (const name of names) {
        for (const cert of await certificatesIn(join(dir, name))) (isSelfSigned(cert) ? anchors : intermediates).push(cert);
      }
    } catch (error) {
      if (error instanceof ChainValidationError) return fail(io, json, error.code, error.message);
      return fail(io, json, 'UNREADABLE_FILE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }

    let chain: ValidatedChain;
    try {
      chain = new ChainValidator(new TrustStore({ anchors, intermediates })).validate(target, { at, intermediates: carried });
    } catch (error) {
      if (!(error instanceof ChainValidationError)) throw error;
      const result = { trusted: false, at: at.toISOString(), certificate: describe(target), error: { code: error.code, message: error.message, subject: error.subject } };
      if (json) writeJson(io, result);
      else writeLines(io, `NOT TRUSTED (${error.code}): ${error.message}`);
      return 1;
    }
    if (json) {
      writeJson(io, { trusted: true, at: at.toISOString(), path: chain.path.map(describe) });
    } else {
      writeLines(
        io,
        `TRUSTED at ${at.toISOString()}`,
        ...chain.path.map((c, i) => `${'  '.repeat(i)}${i === chain.path.length - 1 ? '[anchor] ' : ''}${c.subject()}  (serial ${c.serialHex.toUpperCase()})`),
      );
    }
    return 0;
  },
};
