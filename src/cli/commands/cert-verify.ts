import { ChainValidationError, RevocationError } from '../../cert/trust/errors.js';
import { ChainValidator, type ValidatedChain } from '../../cert/trust/chain/chain-validator.js';
import { TrustStore } from '../../cert/trust/trust-store.js';
import { RevocationChecker } from '../../cert/trust/revocation/revocation-checker.js';
import type { RevocationStatus } from '../../cert/trust/revocation/revocation-status.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import type { MessageKey } from '../../messages/catalogue.js';
import { languageFromLocale } from '../../messages/language.js';
import {
  UsageError,
  dateOption,
  inputFailure,
  parseCommandArgs,
  shownValue,
  singleFile,
  failureJson,
  unreadable,
  writeJson,
  writeLines,
  type CliCommand,
  type CliIo,
} from '../command.js';
import { progressFetch, terminalProgress } from '../progress.js';
import { certificatesIn, readTrustDirectory } from '../trust-directory.js';
import { taipeiDateTimeSeconds } from '../../shared/taipei-time.js';

const PREFIX = 'twpki cert verify';

const USAGE = [
  'twpki cert verify FILE --anchors DIR [--at ISO-DATE] [--crl] [--json]',
  '  FILE   the certificate (PEM, DER or base64); further PEM certificates in it are intermediates',
  '  DIR    *.pem/*.crt/*.cer/*.der: self-signed ones are trust anchors (GRCA G1/G2/G3),',
  '         the others (issuing CAs, the GRCA G1→G2 cross certificate) are intermediates;',
  '         or one file (a PEM bundle, or one certificate) read the same way',
  '  --crl  also download the issuer\'s CRL (cRLDistributionPoints) and check the certificate is not revoked;',
  '         progress is shown on a terminal (stderr), never with --json or when stderr is not a terminal',
  'Exit status: 0 trusted, 1 not trusted, 2 usage or unreadable input (a DIR with no self-signed certificate too),',
  '5 no verdict (the check itself failed: never read as not trusted).',
].join('\n');

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

/** Prints a NOT TRUSTED result (exit 1): JSON with both messages, or one line in the locale's language. */
function notTrusted(
  io: CliIo,
  json: boolean,
  result: Record<string, unknown>,
  failure: { code: string; key: MessageKey; detail: string; subject?: string | undefined },
): number {
  const { messages } = failureJson(failure);
  if (json) {
    writeJson(io, { ...result, trusted: false, error: { code: failure.code, message: failure.detail, messages, subject: failure.subject } });
  } else {
    const text = languageFromLocale(io.env) === 'zh-TW' ? messages.zhTW : messages.en;
    writeLines(io, `NOT TRUSTED (${failure.code}): ${text}`, `  (${failure.detail})`);
  }
  return 1;
}

function describeStatus(status: RevocationStatus): Record<string, string | undefined> {
  return {
    kind: status.kind,
    source: status.source,
    url: status.url,
    ...(status.kind === 'revoked' ? { revokedAt: status.revokedAt.toISOString(), reason: status.reason } : {}),
  };
}

/** `twpki cert verify FILE --anchors DIR [--at ISO-DATE] [--json]`: builds and validates the chain. */
export const certVerifyCommand: CliCommand = {
  exits: 'verdict',
  name: 'cert verify',
  summary: 'Validate a certificate chain to trust anchors at a given time',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs(USAGE, {
        args,
        options: {
          anchors: { type: 'string' },
          at: { type: 'string' },
          crl: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
      });
    const json = parsed.values.json === true;
    const file = singleFile(parsed.positionals, USAGE);
    // The file's name as errors show it: not when it could be a PIN given as FILE.
    const shown = shownValue(file, 'FILE');
    const dir = parsed.values.anchors;
    if (dir === undefined) throw new UsageError(`--anchors DIR is required (validation never trusts by default)\nusage: ${USAGE}`);
    const at = dateOption('at', parsed.values.at) ?? new Date();

    let target: TrustedCertificate;
    let carried: TrustedCertificate[];
    try {
      const inFile = await certificatesIn(file, shown);
      if (inFile[0] === undefined) return inputFailure(io, json, PREFIX, { code: 'MALFORMED_CERTIFICATE', key: 'chain.MALFORMED_CERTIFICATE', detail: `${shown}: no certificate found` });
      [target, ...carried] = inFile as [TrustedCertificate, ...TrustedCertificate[]];
    } catch (error) {
      if (error instanceof ChainValidationError) return inputFailure(io, json, PREFIX, { code: error.code, key: `chain.${error.code}`, detail: error.message });
      return inputFailure(io, json, PREFIX, unreadable(shown, error));
    }
    const trust = await readTrustDirectory(dir);
    if (!trust.ok) return inputFailure(io, json, PREFIX, trust.failure);
    const { anchors, intermediates } = trust;

    let chain: ValidatedChain;
    try {
      chain = new ChainValidator(new TrustStore({ anchors, intermediates })).validate(target, { at, intermediates: carried });
    } catch (error) {
      if (!(error instanceof ChainValidationError)) throw error;
      const base = { at: at.toISOString(), certificate: describe(target) };
      return notTrusted(io, json, base, { code: error.code, key: `chain.${error.code}`, detail: error.message, subject: error.subject });
    }

    let revocation: RevocationStatus | undefined;
    const issuer = chain.path[1];
    if (parsed.values.crl === true && issuer !== undefined) {
      const base = { at: at.toISOString(), certificate: describe(target) };
      const progress = terminalProgress(io, json);
      try {
        revocation = await new RevocationChecker({ mode: 'crl', fetch: progressFetch(progress) }).check(target, issuer, at, { now: new Date() });
        progress.done(`CRL ${revocation.url}: ${revocation.kind}`);
      } catch (error) {
        if (!(error instanceof RevocationError)) throw error;
        progress.done(`CRL check failed (${error.code})`);
        return notTrusted(io, json, base, { code: error.code, key: `revocation.${error.code}`, detail: error.message });
      }
      if (revocation.kind !== 'good') {
        const code =
          revocation.kind === 'revoked' ? (revocation.reason === 'certificateHold' ? 'CERT_SUSPENDED' : 'CERT_REVOKED') : 'REVOCATION_UNKNOWN';
        return notTrusted(io, json, { ...base, revocation: describeStatus(revocation) }, {
          code,
          key: `login.${code}`,
          detail: `${code === 'CERT_SUSPENDED' ? 'suspended (certificateHold)' : revocation.kind} according to ${revocation.url}`,
        });
      }
    }
    if (json) {
      writeJson(io, { trusted: true, at: at.toISOString(), path: chain.path.map(describe), ...(revocation === undefined ? {} : { revocation: describeStatus(revocation) }) });
    } else {
      writeLines(
        io,
        `TRUSTED at ${taipeiDateTimeSeconds(at)} (Taiwan time, UTC+8)`,
        ...chain.path.map((c, i) => `${'  '.repeat(i)}${i === chain.path.length - 1 ? '[anchor] ' : ''}${c.subject()}  (serial ${c.serialHex.toUpperCase()})`),
        ...(revocation === undefined ? [] : [`not revoked (CRL ${revocation.url})`]),
      );
    }
    return 0;
  },
};
