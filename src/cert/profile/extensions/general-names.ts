import { DerError } from '../../../shared/der/der-error.js';
import { contextTag, type DerNode } from '../../../shared/der/der-reader.js';
import { contentBytes } from '../../../shared/der/der-values.js';

/** The GeneralName forms a profile reports; others are skipped. */
export interface GeneralNameValues {
  readonly emails: string[];
  readonly dnsNames: string[];
  readonly uris: string[];
}

/**
 * The text of an rfc822Name, dNSName or URI: an IA5String, and none of the three syntaxes has a control character.
 * A byte past 0x7F used to be read as Latin-1 (a UTF-8 `王@…` became `ç\x8E\x8B@…`, a URL fetched as another), and
 * CR, LF or ESC went on to logs, terminals and the CRL and OCSP fetches as they were.
 */
function ia5Text(node: DerNode, what: string): string {
  const bytes = contentBytes(node, what);
  const bad = bytes.findIndex((b) => b < 0x20 || b > 0x7e);
  if (bad >= 0) {
    const b = bytes[bad] as number;
    const why = b > 0x7f ? 'is not an IA5String' : 'holds a control character';
    throw new DerError('DER_SHAPE', `${what} ${why} (byte 0x${b.toString(16).padStart(2, '0')} at ${bad})`);
  }
  return Buffer.from(bytes).toString('latin1');
}

/** Collects rfc822Name [1], dNSName [2] and URI [6] from GeneralName nodes. */
export function collectGeneralNames(nodes: readonly DerNode[], what: string): GeneralNameValues {
  const out: GeneralNameValues = { emails: [], dnsNames: [], uris: [] };
  for (const node of nodes) {
    switch (contextTag(node)) {
      case 1:
        out.emails.push(ia5Text(node, `${what} rfc822Name`));
        break;
      case 2:
        out.dnsNames.push(ia5Text(node, `${what} dNSName`));
        break;
      case 6:
        out.uris.push(ia5Text(node, `${what} URI`));
        break;
      default:
        break;
    }
  }
  return out;
}
