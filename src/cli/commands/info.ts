import { parseCertificate, type CertificateProfile } from '../../cert/index.js';
import { escapeHiddenCharacters } from '../../cert/profile/distinguished-name.js';
import { toHex } from '../../shared/bytes.js';
import { readerOption, withCard } from '../card-session.js';
import { cardExitStatusText, type CliCommand, EXIT_OK, writeJson, writeLines, parseCommandArgs } from '../command.js';
import { taipeiDateTimeSeconds } from '../../shared/taipei-time.js';

/** What `info` shows of a certificate's profile; `undefined` when the certificate does not parse. */
function profileSummary(der: Uint8Array): Record<string, string | number | undefined> | undefined {
  let p: CertificateProfile;
  try {
    p = parseCertificate(der);
  } catch {
    return undefined;
  }
  return {
    authority: p.authority.id,
    generation: p.authority.generation,
    subject: p.subject.text,
    commonName: p.subject.commonName,
    serialNumber: p.serialNumber,
    notBefore: p.validity.notBefore.toISOString(),
    notAfter: p.validity.notAfter.toISOString(),
    idHint: p.identity.idHint,
    businessId: p.identity.businessId,
    organizationOid: p.identity.organizationOid,
  };
}

/** The end of validity for the human lines: in Taiwan time, as `cert inspect` and `doctor` print it (JSON keeps the ISO instant). */
function untilText(notAfter: unknown): string {
  return typeof notAfter === 'string' ? `${taipeiDateTimeSeconds(new Date(notAfter))} (Taiwan time)` : '';
}

const USAGE =
  'twpki info [--reader NAME] [--json]\n\nReads the HiCOS card (no PIN): generation, 卡號 (JSON null for a card without one), version, certificates (profile summary, and DER as base64 in JSON).\n' +
  cardExitStatusText(false);

/** `twpki info`: generation, card number, version and certificates; no PIN needed. */
export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'show the card generation, card number and certificates',
  usage: USAGE,
  exits: 'card',
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, { args, options: readerOption });
    return withCard(values.reader, io, async (card, reader) => {
      const info = await card.info();
      const certificates = info.certificates.map((c) => ({
        label: c.label,
        usage: c.usage,
        id: c.id,
        profile: profileSummary(c.der),
        der: Buffer.from(c.der).toString('base64'),
      }));
      if (values.json) {
        writeJson(io, {
          reader,
          atr: toHex(info.atr).toUpperCase(),
          generation: info.generation,
          // null: the card has no card number (EF 0900/0903 not found, or blank).
          cardNumber: info.cardNumber === '' ? null : info.cardNumber,
          version: info.version,
          certificates,
        });
      } else {
        writeLines(
          io,
          `reader      ${reader}`,
          `ATR         ${toHex(info.atr).toUpperCase()}${info.knownAtr ? ` (${info.knownAtr.description})` : ''}`,
          `generation  ${info.generation}`,
          `card number ${info.cardNumber === '' ? 'unknown (the card has no card-number file, EF 0900/0903)' : escapeHiddenCharacters(info.cardNumber)}`,
          `version     ${escapeHiddenCharacters(info.version)}`,
          ...certificates.map((c) => {
            const p = c.profile;
            const who = p ? `${p.commonName ?? p.subject ?? ''} (${String(p.authority)}${p.idHint ? `, ID hint ${p.idHint}` : ''}), serial ${p.serialNumber ?? ''}, until ${untilText(p.notAfter)}` : 'unparsable';
            // The label (the card's CDF) and the names (the certificate) are text the card and its issuer chose: one
            // line each, controls shown as \XX, as cert inspect shows them.
            return escapeHiddenCharacters(`certificate ${c.label} ${c.usage}: ${who}`);
          }),
        );
      }
      return EXIT_OK;
    });
  },
};

