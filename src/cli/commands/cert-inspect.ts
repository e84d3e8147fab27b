import { readFile } from 'node:fs/promises';
import {
  CertificateParseError,
  certificateProfileToJson,
  parseCertificate,
  type CertificateProfile,
} from '../../cert/profile/index.js';
import { escapeHiddenCharacters } from '../../cert/profile/distinguished-name.js';
import { taipeiDateTimeSeconds } from '../../shared/taipei-time.js';
import { inputFailure, parseCommandArgs, shownValue, singleFile, unreadable, writeJson, writeLines, type CliCommand, type CliIo } from '../command.js';

const PREFIX = 'twpki cert inspect';

const USAGE =
  'twpki cert inspect FILE [--json]\n\n' +
  'Validity is shown in Taiwan time (UTC+8), the calendar MOICA\'s renewal windows count in; with --json it is\n' +
  'validity.notBefore/notAfter as UTC ISO instants (2044-01-23T15:59:59.000Z is 2044-01-23 23:59:59 in Taiwan).';

/**
 * `notBefore → notAfter` as a holder reads them: Taiwan dates and times (a UTC instant before 08:00 Taiwan time
 * names the day before), said to be Taiwan time, as `twpki doctor` prints them. `--json` keeps the ISO instants.
 */
function validityText(p: CertificateProfile): string {
  return `${taipeiDateTimeSeconds(p.validity.notBefore)} → ${taipeiDateTimeSeconds(p.validity.notAfter)} (Taiwan time, UTC+8)`;
}

/** Human-readable lines of a profile; empty fields are left out. */
function describeProfile(p: CertificateProfile): string[] {
  const a = p.authority;
  const authority =
    a.id === 'unknown'
      ? 'unknown'
      : `${a.displayName ?? a.id} (${[a.id, a.generation].filter(Boolean).join(', ')})${a.test ? ' [test CA]' : ''}`;
  const rows: Array<[string, string | undefined]> = [
    ['Authority', authority],
    ['Subject', p.subject.text],
    ['Issuer', p.issuer.text],
    ['Serial', p.serialNumber],
    ['Valid', validityText(p)],
    ['Purpose', `${p.purpose}${p.keyUsage ? ` (${p.keyUsage.join(', ')})` : ''}`],
    ['Holder', p.identity.holderName],
    ['Subject type', p.identity.subjectType ? `${p.identity.subjectType.kind} (${p.identity.subjectType.oid})` : undefined],
    ['Card type', p.identity.cardType],
    ['ID hint', p.identity.idHint],
    ['Business ID', p.identity.businessId],
    ['Organisation OID', p.identity.organizationOid],
    ['Policies', p.policies.map((x) => (x.assuranceLevel === undefined ? x.oid : `${x.oid} (level ${x.assuranceLevel})`)).join(', ') || undefined],
    ['CRL', p.crlUrls.join(' ') || undefined],
    ['OCSP', p.ocspUrls.join(' ') || undefined],
    ['CA issuers', p.caIssuersUrls.join(' ') || undefined],
    ['E-mail', p.emails.join(', ') || undefined],
    ['Subject key ID', p.subjectKeyId],
    ['Authority key ID', p.authorityKeyId],
    ['Public key', `${p.publicKey.algorithm}${p.publicKey.bits ? ` ${p.publicKey.bits}` : ''}`],
    ['Signature', p.signatureAlgorithm.name ?? p.signatureAlgorithm.oid],
  ];
  // Every value is the issuer's text: a CR, LF or ESC in a holder name wrote a line of its own (a forged
  // `Authority:` line) or drove the terminal.
  return rows.filter((row): row is [string, string] => row[1] !== undefined).map(([k, v]) => `${`${k}:`.padEnd(18)}${escapeHiddenCharacters(v)}`);
}


/** `twpki cert inspect FILE [--json]`: prints a certificate's profile (PEM, DER or base64). */
export const certInspectCommand: CliCommand = {
  name: 'cert inspect',
  summary: 'Show the profile of a certificate (authority, holder hints, serial, usage, URLs)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs(USAGE, { args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
    const json = parsed.values.json === true;
    const file = singleFile(parsed.positionals, USAGE);
    // The file's name as errors show it: not when it could be a PIN given as FILE.
    const shown = shownValue(file, 'FILE');

    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      return inputFailure(io, json, PREFIX, unreadable(shown, error));
    }
    let profile: CertificateProfile;
    try {
      profile = parseCertificate(bytes);
    } catch (error) {
      if (error instanceof CertificateParseError) return inputFailure(io, json, PREFIX, error, `${shown}: ${error.message}`);
      throw error;
    }
    if (json) writeJson(io, certificateProfileToJson(profile));
    else writeLines(io, ...describeProfile(profile));
    return 0;
  },
};
