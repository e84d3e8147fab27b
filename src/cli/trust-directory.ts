import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { splitPemBundle } from '../cert/encoding/pem.js';
import { ChainValidationError } from '../cert/trust/errors.js';
import { TrustedCertificate } from '../cert/trust/trusted-certificate.js';
import { couldBePin, shownValue, unreadable, usageFailure, type CliFailure } from './command.js';

/** The files `--anchors DIR` reads. */
const CERT_FILE = /\.(pem|crt|cer|der)$/i;

/**
 * The certificates of a file: every PEM block, or the file as one DER/base64
 * certificate. A certificate that does not decode is reported under `shown`,
 * the file's name as errors may show it (see `shownValue`).
 * @throws ChainValidationError naming the file; the file system's error when it cannot be read.
 */
export async function certificatesIn(path: string, shown: string): Promise<TrustedCertificate[]> {
  const bytes = await readFile(path);
  const text = bytes.toString('latin1');
  // Every certificate block of a bundle, whichever label it has (`CERTIFICATE`, `X509 CERTIFICATE`), as the
  // certificate layer reads them; anything else is read as one certificate (and refused if it is not).
  const bundle = splitPemBundle(text);
  const blocks = bundle.length > 0 ? bundle : [new Uint8Array(bytes)];
  try {
    return blocks.map((b) => TrustedCertificate.from(b));
  } catch (error) {
    if (error instanceof ChainValidationError) throw new ChainValidationError(error.code, `${shown}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** An `--anchors DIR` (or FILE), read: self-signed certificates are anchors, the others intermediates; or why it cannot be used. */
export type TrustDirectory =
  | { readonly ok: true; readonly anchors: TrustedCertificate[]; readonly intermediates: TrustedCertificate[] }
  | { readonly ok: false; readonly failure: CliFailure };

/**
 * Reads every certificate file of `dir` (sorted by name), or `dir` itself when it
 * is a file (a PEM bundle such as a CA's chain file, or one certificate, as
 * `openssl verify -CAfile` takes it: whatever its name). A directory or file
 * that cannot be read is `UNREADABLE_FILE`, a certificate that does not decode
 * its chain code, each naming the directory or the file. An empty value, or a
 * directory with no self-signed certificate (none at all, or intermediates
 * only), is a `USAGE` failure naming `--anchors`: nothing could ever be trusted
 * with it, so it is the option given wrong, not a verdict on the input.
 */
export async function readTrustDirectory(dir: string): Promise<TrustDirectory> {
  if (dir === '') return { ok: false, failure: usageFailure('--anchors DIR is empty: give the directory of trust anchor certificates (*.pem/*.crt/*.cer/*.der)') };
  let names: string[];
  // The folder's name as errors show it: not when it could be a PIN given after --anchors. The names of the files
  // in it come from the folder, not from what was typed, and are shown.
  const shownDir = shownValue(dir, '--anchors DIR');
  let folder = dir;
  const shownFile = (name: string): string => (couldBePin(dir) ? `${name} in ${shownDir}` : join(folder, name));
  try {
    if ((await stat(dir)).isFile()) {
      folder = dirname(dir);
      names = [basename(dir)];
    } else {
      names = (await readdir(dir)).filter((n) => CERT_FILE.test(n)).sort();
    }
  } catch (error) {
    return { ok: false, failure: unreadable(`directory ${shownDir}`, error) };
  }
  const anchors: TrustedCertificate[] = [];
  const intermediates: TrustedCertificate[] = [];
  for (const name of names) {
    const path = join(folder, name);
    let certs: TrustedCertificate[];
    try {
      certs = await certificatesIn(path, shownFile(name));
    } catch (error) {
      if (error instanceof ChainValidationError) return { ok: false, failure: { code: error.code, key: `chain.${error.code}`, detail: error.message } };
      return { ok: false, failure: unreadable(shownFile(name), error) };
    }
    for (const cert of certs) (cert.isSelfSigned() ? anchors : intermediates).push(cert);
  }
  if (anchors.length === 0) {
    const found = names.length === 0 ? 'no *.pem/*.crt/*.cer/*.der file' : `${intermediates.length} certificate(s) in ${names.length} file(s), none self-signed`;
    return { ok: false, failure: usageFailure(`--anchors ${shownDir} has no trust anchor (a self-signed root certificate such as GRCA's): ${found}`) };
  }
  return { ok: true, anchors, intermediates };
}
