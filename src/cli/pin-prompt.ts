import type { Readable } from 'node:stream';
import { type CliIo, readFirstLine, UsageError } from './command.js';

/**
 * Reads the PIN: the first line of stdin with `--pin-stdin`, else a prompt
 * on the terminal without echo. Never from argv. The caller zeroes the Buffer.
 */
export async function readPin(io: CliIo, fromStdin: boolean): Promise<Buffer> {
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

