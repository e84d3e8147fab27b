import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { FileRetryCounterStore, HiCOSCard, HicosError, type SignatureHash } from '../../apdu/index.js';
import { parseCertificate, type CertificateProfile } from '../../cert/index.js';
import { toHex } from '../../shared/bytes.js';
import { openCardTransport } from '../card-access.js';
import { type CliCommand, type CliIo, EXIT_USAGE, readFirstLine, UsageError, writeJson, writeLines } from '../command.js';

const readerOption = { reader: { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * Where the CLI remembers last known PIN retry counts, so the last-try guard
 * holds across invocations: `$TWPKI_STATE_DIR`, else `$XDG_STATE_HOME/twpki`,
 * else `~/.local/state/twpki`.
 */
function retryStorePath(env: NodeJS.ProcessEnv): string {
  const dir = env.TWPKI_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'twpki');
  return join(dir, 'pin-retries.json');
}

async function withCard<T>(reader: string | undefined, io: CliIo, fn: (card: HiCOSCard, readerName: string) => Promise<T>): Promise<T> {
  const access = await openCardTransport({ reader, env: io.env });
  try {
    const card = await HiCOSCard.open(access.transport, { retryStore: new FileRetryCounterStore(retryStorePath(io.env)) });
    return await fn(card, access.readerName);
  } finally {
    await access.close();
  }
}

/**
 * Reads the PIN: the first line of stdin with `--pin-stdin`, else a prompt
 * on the terminal without echo. Never from argv. The caller zeroes the Buffer.
 */
async function readPin(io: CliIo, fromStdin: boolean): Promise<Buffer> {
  if (fromStdin) return readFirstLine(io.stdin);
  const tty = io.stdin as Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') {
    throw new UsageError('no terminal to prompt for the PIN: pass --pin-stdin and write the PIN as the first line of stdin');
  }
  io.stderr.write('PIN: ');
  const pin = Buffer.alloc(16);
  let length = 0;
  tty.setRawMode(true);
  try {
    for await (const chunk of tty) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      for (const b of bytes) {
        if (b === 0x0d || b === 0x0a) return Buffer.from(pin.subarray(0, length));
        if (b === 0x03) throw new UsageError('PIN entry cancelled');
        if (b === 0x7f || b === 0x08) length = Math.max(0, length - 1);
        else if (length < pin.length) pin[length++] = b;
      }
      bytes.fill(0);
    }
    return Buffer.from(pin.subarray(0, length));
  } finally {
    pin.fill(0);
    tty.setRawMode(false);
    io.stderr.write('\n');
  }
}

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

/** `twpki info`: generation, card number, version and certificates; no PIN needed. */
export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'show the card generation, card number and certificates',
  usage: 'twpki info [--reader NAME] [--json]\n\nReads the HiCOS card (no PIN): generation, 卡號, version, certificates (profile summary, and DER as base64 in JSON).',
  async run(args, io) {
    const { values } = parseArgs({ args, options: readerOption, strict: true });
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
          cardNumber: info.cardNumber,
          version: info.version,
          certificates,
        });
      } else {
        writeLines(
          io,
          `reader      ${reader}`,
          `ATR         ${toHex(info.atr).toUpperCase()}${info.knownAtr ? ` (${info.knownAtr.description})` : ''}`,
          `generation  ${info.generation}`,
          `card number ${info.cardNumber}`,
          `version     ${info.version}`,
          ...certificates.map((c) => {
            const p = c.profile;
            const who = p ? `${p.commonName ?? p.subject ?? ''} (${String(p.authority)}${p.idHint ? `, ID hint ${p.idHint}` : ''}), serial ${p.serialNumber ?? ''}, until ${p.notAfter ?? ''}` : 'unparsable';
            return `certificate ${c.label} ${c.usage}: ${who}`;
          }),
        );
      }
      return 0;
    });
  },
};

/** `twpki verify-pin`: exits 0 ok, 1 wrong PIN, 2 bad input or refused by the last-try guard, 3 locked. */
export const verifyPinCommand: CliCommand = {
  name: 'verify-pin',
  summary: 'check the card PIN (0 ok, 1 wrong, 2 bad input/guard, 3 locked)',
  usage:
    'twpki verify-pin [--reader NAME] [--pin-stdin] [--allow-last-try] [--json]\n\n' +
    'Prompts for the PIN without echo (or reads the first line of stdin with --pin-stdin; never from arguments).\n' +
    'Exit status: 0 ok, 1 wrong PIN, 2 bad input or refused by the last-try guard, 3 locked.',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...readerOption, 'pin-stdin': { type: 'boolean' }, 'allow-last-try': { type: 'boolean' } },
      strict: true,
    });
    const pin = await readPin(io, values['pin-stdin'] === true);
    try {
      return await withCard(values.reader, io, async (card) => {
        let result;
        try {
          result = await card.verifyPin(pin, { allowLastTry: values['allow-last-try'] === true });
        } catch (error) {
          if (error instanceof HicosError && (error.code === 'INVALID_PIN_FORMAT' || error.code === 'LAST_TRY_GUARD')) {
            if (values.json) {
              writeJson(io, { ok: false, retriesLeft: card.lastKnownRetries ?? null, locked: false, error: { code: error.code, message: error.message } });
            } else {
              io.stderr.write(`${error.message}\n`);
            }
            return EXIT_USAGE;
          }
          throw error;
        }
        const locked = result.status === 'locked';
        if (values.json) writeJson(io, { ok: result.status === 'ok', retriesLeft: result.retriesLeft, locked });
        else if (result.status === 'ok') writeLines(io, 'PIN ok');
        else if (locked) writeLines(io, 'the card is locked');
        else writeLines(io, `wrong PIN, ${result.retriesLeft} tries left`);
        return result.status === 'ok' ? 0 : locked ? 3 : 1;
      });
    } finally {
      pin.fill(0);
    }
  },
};

/** `twpki sign --in FILE`: PKCS#1 v1.5 signature with the SIGN key. */
export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign a file with the card SIGN key (PKCS#1 v1.5)',
  usage:
    'twpki sign --in FILE [--hash sha256|sha384|sha512] [--reader NAME] [--pin-stdin] [--json]\n\n' +
    'Signs the file with the SIGN key; prints the signature and the SIGN certificate (base64).',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...readerOption, in: { type: 'string' }, hash: { type: 'string' }, 'pin-stdin': { type: 'boolean' } },
      strict: true,
    });
    if (!values.in) throw new UsageError('--in FILE is required');
    const hash = (values.hash ?? 'sha256') as SignatureHash;
    if (!['sha256', 'sha384', 'sha512'].includes(hash)) throw new UsageError('--hash must be sha256, sha384 or sha512');
    const data = await readFile(values.in).catch((error: unknown) => {
      throw new UsageError(`cannot read ${values.in}: ${(error as Error).message}`);
    });
    const pin = await readPin(io, values['pin-stdin'] === true);
    try {
      return await withCard(values.reader, io, async (card) => {
        let signature: Uint8Array;
        try {
          signature = await card.sign(data, { hash, pin });
        } catch (error) {
          if (error instanceof HicosError && (error.code === 'INVALID_PIN_FORMAT' || error.code === 'LAST_TRY_GUARD')) {
            throw new UsageError(error.message);
          }
          throw error;
        }
        const certificate = (await card.certificates()).find((c) => c.usage === 'SIGN');
        const out = {
          signature: Buffer.from(signature).toString('base64'),
          certificate: certificate ? Buffer.from(certificate.der).toString('base64') : null,
        };
        if (values.json) writeJson(io, out);
        else writeLines(io, `signature   ${out.signature}`, `certificate ${out.certificate ?? '(none)'}`);
        return 0;
      });
    } finally {
      pin.fill(0);
    }
  },
};
