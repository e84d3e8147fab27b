import { base64Strict, certificateBlock, hasPemArmour, pemBlocks, type PemBlock } from '../encoding/pem.js';
import { CertificateParseError } from './errors.js';

/** Strict base64 → bytes, or undefined (the shared decoder, errors as a value). */
function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return base64Strict(text);
  } catch {
    return undefined;
  }
}

function fromText(text: string): Uint8Array {
  if (text.trim().length === 0) throw new CertificateParseError('EMPTY_INPUT', 'no certificate: the input is empty');
  if (hasPemArmour(text)) {
    let block: PemBlock;
    try {
      block = certificateBlock(pemBlocks(text));
    } catch (error) {
      throw new CertificateParseError('BAD_PEM', (error as Error).message);
    }
    const der = decodeBase64(block.body);
    if (der === undefined) throw new CertificateParseError('BAD_PEM', `the PEM ${block.label} block is not valid base64`);
    return der;
  }
  const der = decodeBase64(text);
  if (der === undefined) throw new CertificateParseError('BAD_BASE64', 'text input is neither PEM nor base64 DER');
  return der;
}

/**
 * Upper bound on input size. Certificates are a few kilobytes; the bound
 * keeps a backend that parses uploads from scanning megabytes of text.
 */
export const MAX_CERTIFICATE_INPUT_BYTES = 1 << 20;

/** True when bytes look like PEM or base64 text rather than DER (DER starts with SEQUENCE 0x30). */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x30) return false;
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  if (hasPemArmour(head)) return true;
  for (let i = 0; i < Math.min(bytes.length, 64); i++) {
    const b = bytes[i] ?? 0;
    if (b !== 0x09 && b !== 0x0a && b !== 0x0d && (b < 0x20 || b > 0x7e)) return false;
  }
  return true;
}

/**
 * The DER of a certificate given as DER bytes, PEM (text or bytes, the
 * first CERTIFICATE block) or base64.
 */
export function certificateDer(input: Uint8Array | string): Uint8Array {
  if (input.length > MAX_CERTIFICATE_INPUT_BYTES) {
    throw new CertificateParseError('TOO_LARGE', `input of ${input.length} bytes is too large for a certificate`);
  }
  if (typeof input === 'string') return fromText(input);
  if (input.length === 0) throw new CertificateParseError('EMPTY_INPUT', 'no certificate: the input is empty');
  const text = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input; // UTF-8 BOM
  if (looksLikeText(text)) return fromText(Buffer.from(text).toString('latin1'));
  return input;
}
