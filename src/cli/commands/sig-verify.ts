import { readFile } from 'node:fs/promises';
import { certificateProfileToJson } from '../../cert/profile/index.js';
import { escapeHiddenCharacters } from '../../cert/profile/distinguished-name.js';
import { DocumentFormatError } from '../../cert/trust/documents/errors.js';
import type { VerifiedDocument } from '../../cert/trust/documents/signed-document-verifier.js';
import { SignedDocumentVerifierBuilder } from '../../cert/trust/documents/signed-document-verifier-builder.js';
import { RevocationChecker } from '../../cert/trust/revocation/revocation-checker.js';
import { SignatureVerificationError } from '../../cert/trust/verification/errors.js';
import { readTrustDirectory } from '../trust-directory.js';
import { UsageError, dateOption, inputFailure, parseCommandArgs, shownValue, singleFile, unreadable, writeJson, writeLines, type CliCommand, type CliIo } from '../command.js';

const PREFIX = 'twpki sig verify';

/**
 * The default SHA-1 cut-off of `--allow-sha1`: 2020-01-01T00:00:00Z. In
 * January 2020 the first practical chosen-prefix collision on SHA-1 was
 * published ("SHA-1 is a Shambles"), which turns a SHA-1 signature over one
 * document into one over another; a SHA-1 signature claimed after that is
 * refused. `--sha1-until DATE` sets another cut-off.
 */
export const SHA1_DEFAULT_CUTOFF = new Date('2020-01-01T00:00:00Z');

const USAGE = [
  'twpki sig verify FILE [--content FILE] --anchors DIR [--at DATE] [--allow-sha1 [--sha1-until DATE]] [--no-revocation] [--json]',
  '  FILE           a PKCS#7/CMS SignedData, DER or PEM (or base64 text)',
  '  --content      the signed content, for a detached signature',
  '  --anchors      *.pem/*.crt/*.cer/*.der: self-signed ones are trust anchors, the others intermediates;',
  '                 or one file (a PEM bundle, or one certificate) read the same way',
  '  --at           judge certificate, chain, revocation and the SHA-1 cut-off at DATE (default now)',
  `  --allow-sha1   accept SHA-1 signatures claimed by the cut-off (default ${SHA1_DEFAULT_CUTOFF.toISOString()}):`,
  '                 the signingTime attribute when signed, else --at',
  '  --no-revocation  skip OCSP/CRL (offline); by default OCSP, then CRL, fail closed',
  'Exit status: 0 valid, 1 invalid, 2 usage or unreadable input (a DIR with no self-signed certificate too),',
  '5 no verdict (the check itself failed: never read as invalid).',
].join('\n');

function report(io: CliIo, json: boolean, doc: VerifiedDocument): void {
  if (json) {
    writeJson(io, {
      valid: true,
      signer: certificateProfileToJson(doc.profile),
      ...(doc.cardNumber === undefined ? {} : { cardNumber: doc.cardNumber }),
      ...(doc.signedAt === undefined ? {} : { signedAt: doc.signedAt.toISOString() }),
      contentSha256: doc.contentSha256,
    });
    return;
  }
  const p = doc.profile;
  // The holder's name and the card number are the signer's text (a certificate, a signed attribute): each stays on
  // its line, with controls shown as \XX, so a name with CR LF cannot print a line of its own (cert inspect does the same).
  const shown = escapeHiddenCharacters;
  writeLines(
    io,
    `VALID signature by ${shown(p.identity.holderName ?? p.subject.text)} (${shown(p.authority.displayName ?? p.authority.id)}, serial ${p.serialNumber})`,
    ...(doc.cardNumber === undefined ? [] : [`card number: ${shown(doc.cardNumber)}`]),
    ...(doc.signedAt === undefined ? [] : [`signed at: ${doc.signedAt.toISOString()}`]),
    `digest: ${doc.digest}${doc.signedAttributes ? ' with signed attributes' : ''}`,
    `content SHA-256: ${doc.contentSha256}`,
  );
}

/** `twpki sig verify FILE …`: verifies a PKCS#7/CMS signature made by any software. */
export const sigVerifyCommand: CliCommand = {
  exits: 'verdict',
  name: 'sig verify',
  summary: 'Verify a PKCS#7/CMS signature (official component, older middleware) to trust anchors',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs(USAGE, {
        args,
        options: {
          content: { type: 'string' },
          anchors: { type: 'string' },
          at: { type: 'string' },
          'allow-sha1': { type: 'boolean', default: false },
          'sha1-until': { type: 'string' },
          'no-revocation': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
      });
    const v = parsed.values;
    const json = v.json === true;
    const file = singleFile(parsed.positionals, USAGE);
    if (v.anchors === undefined) throw new UsageError(`--anchors DIR is required (verification never trusts by default)\nusage: ${USAGE}`);
    const at = dateOption('at', v.at);
    const sha1Until = dateOption('sha1-until', v['sha1-until']);
    if (sha1Until !== undefined && v['allow-sha1'] !== true) throw new UsageError('--sha1-until needs --allow-sha1');

    let signature: Uint8Array;
    let content: Uint8Array | undefined;
    // A file's name as errors show it: not when it could be a PIN given as FILE or after --content.
    try {
      signature = new Uint8Array(await readFile(file));
    } catch (error) {
      return inputFailure(io, json, PREFIX, unreadable(shownValue(file, 'FILE'), error));
    }
    try {
      content = v.content === undefined ? undefined : new Uint8Array(await readFile(v.content));
    } catch (error) {
      return inputFailure(io, json, PREFIX, unreadable(shownValue(v.content ?? '', '--content FILE'), error));
    }
    const trust = await readTrustDirectory(v.anchors);
    if (!trust.ok) return inputFailure(io, json, PREFIX, trust.failure);

    try {
      const builder = new SignedDocumentVerifierBuilder().withTrustAnchors(...trust.anchors).withIntermediates(...trust.intermediates);
      if (v['no-revocation'] === true) builder.withoutRevocationCheck();
      else builder.withRevocationChecker(new RevocationChecker());
      if (v['allow-sha1'] === true) builder.allowSha1({ until: sha1Until ?? SHA1_DEFAULT_CUTOFF });
      const doc = await builder
        .build()
        .verify({ format: 'cms', signature, ...(content === undefined ? {} : { content }) }, at === undefined ? {} : { at });
      report(io, json, doc);
      return 0;
    } catch (error) {
      if (error instanceof DocumentFormatError) {
        // The library names the field of its input object; here that is the file given on the command line.
        const detail = error.message.startsWith('"signature" ') ? `${shownValue(file, 'FILE')}${error.message.slice('"signature"'.length)}` : undefined;
        return inputFailure(io, json, PREFIX, error, detail);
      }
      if (!(error instanceof SignatureVerificationError)) throw error;
      // The library names its builder option; on the command line the same switch is a flag.
      if (error.code === 'ALGORITHM_NOT_ALLOWED' && error.message.includes('allowSha1(')) {
        error.message += ' (on the command line: --allow-sha1 [--sha1-until DATE])';
      }
      if (json) writeJson(io, { valid: false, code: error.code, step: error.step, message: error.message });
      else writeLines(io, `INVALID (${error.step}: ${error.code}): ${error.message}`);
      return 1;
    }
  },
};
