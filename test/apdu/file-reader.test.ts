import { describe, expect, it } from 'vitest';
import { FileReader, MAX_DIRECTORY_BYTES } from '../../src/apdu/file-reader.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { CommandApdu } from '../../src/pcsc/command-apdu.js';
import { fromHex, toHex } from '../../src/shared/bytes.js';

/** A Gen1-style card with one selectable EF whose content and READ quirks the test sets. */
function cardWith(
  content: Uint8Array,
  options: { refuseBigReadsWith6987?: boolean; refuseAllReadsWith6987?: boolean; wrongLength?: 'past-end' | 'always'; maxLe?: number } = {},
) {
  const log: string[] = [];
  const reader = new EmulatorReader();
  reader.insert({
    reset: () => fromHex('3b00'),
    process: (bytes) => {
      log.push(toHex(bytes));
      const c = CommandApdu.from(bytes);
      if (c.ins === 0xa4) return fromHex('9000');
      const offset = (c.p1 << 8) | c.p2;
      const le = c.le ?? 0;
      if (options.refuseBigReadsWith6987 && le > 0x10) return fromHex('6987');
      if (options.refuseAllReadsWith6987) return fromHex('6987');
      if (options.wrongLength === 'always' || le > (options.maxLe ?? 256)) return fromHex('6700');
      if (offset >= content.length) return fromHex('6b00');
      if (options.wrongLength === 'past-end' && offset + le > content.length) return fromHex('6700');
      const part = content.subarray(offset, offset + le);
      return Uint8Array.from([...part, ...(part.length < le ? [0x62, 0x82] : [0x90, 0x00])]);
    },
  });
  return { transport: reader.connect(), log };
}

const record = (n: number): Uint8Array =>
  Uint8Array.from([0x04, ...(n < 0x80 ? [n] : [0x81, n]), ...new Uint8Array(n).fill(0xab)]);

describe('FileReader', () => {
  it('reads a directory until the padding, no further', async () => {
    const content = new Uint8Array(1000).fill(0xff);
    content.set([...record(150), ...record(100)]); // 255 bytes of records: two chunks
    const { transport, log } = cardWith(content);
    const files = new FileReader(1);
    files.atRoot();
    await files.selectEf(transport, 0x5030, 0x4104);
    const records = await files.readDirectory(transport, 'CDF');
    expect(records.map((r) => r.length)).toEqual([153, 102]);
    expect(log).toEqual(['80a40000025030', '80a40000024104', '80b00000c8', '80b000c8c8']);
  });

  it('skips SELECTs for the file already selected and re-selects from the root after an error', async () => {
    const { transport, log } = cardWith(new Uint8Array(10));
    const files = new FileReader(1);
    files.atRoot();
    await files.selectEf(transport, 0x0900, 0x0903);
    await files.selectEf(transport, 0x0900, 0x0903);
    await files.selectEf(transport, 0x0900, 0x0905);
    expect(log).toEqual(['80a40000020900', '80a40000020903', '80a40000020905']);
    files.forget();
    await files.selectEf(transport, 0x0900, 0x0905);
    expect(log.slice(3)).toEqual(['80a40000023f00', '80a40000020900', '80a40000020905']);
  });

  it('reads a range in 200-byte chunks, retrying 6987 with Le 10 like the middleware', async () => {
    const content = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
    const plain = cardWith(content);
    const files = new FileReader(1);
    expect(toHex(await files.readRange(plain.transport, 100, 300, 'cert'))).toBe(toHex(content.subarray(100, 400)));
    expect(plain.log).toEqual(['80b00064c8', '80b0012c64']);
    const picky = cardWith(content, { refuseBigReadsWith6987: true });
    expect(toHex(await new FileReader(1).readRange(picky.transport, 0, 20, 'cert'))).toBe(toHex(content.subarray(0, 20)));
    expect(picky.log).toEqual(['80b0000014', '80b0000010', '80b0001004']);
  });

  it('after a 6987 keeps reading 16 bytes at a time until another EF is selected', async () => {
    const content = Uint8Array.from({ length: 100 }, (_, i) => i);
    const { transport, log } = cardWith(content, { refuseBigReadsWith6987: true });
    const files = new FileReader(1);
    files.atRoot();
    await files.selectEf(transport, 0x5030, 0x08f2);
    expect(toHex(await files.readRange(transport, 0, 40, 'cert'))).toBe(toHex(content.subarray(0, 40)));
    expect(log.slice(2)).toEqual(['80b0000028', '80b0000010', '80b0001010', '80b0002008']);
    log.length = 0;
    await files.selectEf(transport, 0x5030, 0x4104);
    await files.readRange(transport, 0, 20, 'cdf');
    // A new EF starts with a full-size request again.
    expect(log).toEqual(['80a40000024104', '80b0000014', '80b0000010', '80b0001004']);
  });

  it('a card that refuses the small read too gets a typed CARD_ERROR with 6987', async () => {
    const { transport, log } = cardWith(new Uint8Array(50), { refuseAllReadsWith6987: true });
    await expect(new FileReader(1).readRange(transport, 0, 40, 'cert')).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6987' });
    expect(log).toEqual(['80b0000028', '80b0000010']);
  });

  it('a range beyond the end of file is a typed error', async () => {
    const { transport } = cardWith(new Uint8Array(50));
    await expect(new FileReader(1).readRange(transport, 0, 100, 'cert')).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('gives up on a directory without padding', async () => {
    const content = new Uint8Array(MAX_DIRECTORY_BYTES + 400);
    content.set([0x04, 0x82, 0x7f, 0xff]);
    const { transport } = cardWith(content);
    await expect(new FileReader(1).readDirectory(transport, 'CDF')).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('6700 when Le runs past the end: asks again with half the Le, and reads an unpadded directory to its end', async () => {
    const content = Uint8Array.from([...record(150), ...record(100)]); // 255 bytes, no padding
    const { transport, log } = cardWith(content, { wrongLength: 'past-end' });
    const files = new FileReader(1);
    files.atRoot();
    await files.selectEf(transport, 0x5030, 0x4104);
    expect((await files.readDirectory(transport, 'CDF')).map((r) => r.length)).toEqual([153, 102]);
    // 200 bytes; 55 left: 200 and 100 refused (the file ends by 299), 50 read; 49, 24, 12, 6 refused (by 255), 3
    // read; the bound caps the next ask at 2, read; at the bound one byte is refused: the end.
    expect(log.slice(2)).toEqual([
      ...['80b00000c8', '80b000c8c8', '80b000c864', '80b000c832'],
      ...['80b000fa31', '80b000fa18', '80b000fa0c', '80b000fa06', '80b000fa03'],
      ...['80b000fd02', '80b000ff01'],
    ]);
  });

  it('6700 to a small EF read with Le C8: the halving reaches it in a bounded number of reads', async () => {
    const { transport, log } = cardWith(new Uint8Array(Buffer.from('CHT V32N')), { wrongLength: 'past-end' });
    const files = new FileReader(1);
    files.atRoot();
    await files.selectEf(transport, 0x0900, 0x0905);
    expect(Buffer.from(await files.readShort(transport, 200, 'version')).toString()).toBe('CHT V32N');
    expect(log.length - 2).toBeLessThanOrEqual(12);
  });

  it('6700 from a card that takes no Le that long (not the end): the file is read whole, not cut at the bound', async () => {
    const content = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
    const { transport } = cardWith(content, { maxLe: 100 });
    const files = new FileReader(1);
    expect(toHex(await files.readRange(transport, 0, 500, 'cert'))).toBe(toHex(content));
  });

  it('6700 even to a one-byte read at offset 0 is a typed CARD_ERROR, not an empty file', async () => {
    const { transport, log } = cardWith(new Uint8Array(50), { wrongLength: 'always' });
    const files = new FileReader(1);
    await expect(files.readDirectory(transport, 'CDF')).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6700' });
    expect(log).toEqual(['80b00000c8', '80b0000064', '80b0000032', '80b0000019', '80b000000c', '80b0000006', '80b0000003', '80b0000001']);
  });
});
