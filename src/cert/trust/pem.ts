/**
 * Accepts DER bytes, a PEM string, or PEM text in bytes (files read from
 * disk). Throws `TypeError` when no certificate-shaped input is found.
 */
export function fromPemOrDer(input: Uint8Array | string): Uint8Array {
  if (typeof input !== 'string') {
    if (input.length > 0 && input[0] === 0x30) return input;
    input = Buffer.from(input).toString('latin1');
  }
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(input);
  if (m === null) {
    const trimmed = input.trim();
    // Bare base64 (certb64 from the local component) is accepted too.
    if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length > 0) return base64Strict(trimmed);
    throw new TypeError('neither DER nor PEM');
  }
  return base64Strict(m[2] ?? '');
}

/** Decodes base64 (standard or URL alphabet), rejecting any other character. */
export function base64Strict(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length === 0) throw new TypeError('invalid base64');
  return new Uint8Array(Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64'));
}

/** Splits a PEM bundle into DER certificates (any number, in order). */
export function splitPemBundle(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(base64Strict(m[1] ?? ''));
  return out;
}
