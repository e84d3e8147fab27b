import { contextTag, type DerNode } from '../../../shared/der/der-reader.js';
import { contentBytes } from '../../../shared/der/der-values.js';

/** The GeneralName forms a profile reports; others are skipped. */
export interface GeneralNameValues {
  readonly emails: string[];
  readonly dnsNames: string[];
  readonly uris: string[];
}

const ascii = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Collects rfc822Name [1], dNSName [2] and URI [6] from GeneralName nodes. */
export function collectGeneralNames(nodes: readonly DerNode[], what: string): GeneralNameValues {
  const out: GeneralNameValues = { emails: [], dnsNames: [], uris: [] };
  for (const node of nodes) {
    switch (contextTag(node)) {
      case 1:
        out.emails.push(ascii(contentBytes(node, `${what} rfc822Name`)));
        break;
      case 2:
        out.dnsNames.push(ascii(contentBytes(node, `${what} dNSName`)));
        break;
      case 6:
        out.uris.push(ascii(contentBytes(node, `${what} URI`)));
        break;
      default:
        break;
    }
  }
  return out;
}
