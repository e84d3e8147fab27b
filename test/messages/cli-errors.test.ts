import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PinRejectedError } from '../../src/apdu/errors.js';
import { failureOf, UsageError, writeFailure, type CliIo } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { PcscError } from '../../src/pcsc/errors.js';

/** A CLI io whose output is read back with `out()` / `err()` (PassThrough buffers what is written). */
function io(env: NodeJS.ProcessEnv): { io: CliIo; out: () => string; err: () => string } {
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const drain = (s: PassThrough) => (): string => String(s.read() ?? '');
  return { io: { ...streams, stdin: new PassThrough(), env }, out: drain(streams.stdout), err: drain(streams.stderr) };
}

describe('the CLI\'s shared error output', () => {
  const noReader = new PcscError('NO_READER', 'listing readers: no smart-card reader is connected');

  it('prints the message in the locale\'s language, code first and detail after', () => {
    const zh = io({ LANG: 'zh_TW.UTF-8' });
    writeFailure(zh.io, false, failureOf(noReader));
    expect(zh.err()).toBe('twpki: NO_READER: 無可用讀卡機，請確認已備妥讀卡機\n  (listing readers: no smart-card reader is connected)\n');
    const en = io({ LANG: 'en_US.UTF-8', LC_ALL: '' });
    writeFailure(en.io, false, failureOf(noReader));
    expect(en.err()).toBe('twpki: NO_READER: No card reader is available; connect a reader\n  (listing readers: no smart-card reader is connected)\n');
    const c = io({ LC_ALL: 'C', LANG: 'zh_TW.UTF-8' });
    writeFailure(c.io, false, failureOf(new PinRejectedError(false, 1, '63C1')));
    expect(c.err()).toContain('twpki: WRONG_PIN: Wrong PIN, 1 try left');
  });

  it('with --json writes one document with the code, the detail and both messages, whatever the locale', () => {
    const r = io({ LANG: 'zh_TW.UTF-8' });
    writeFailure(r.io, true, failureOf(noReader));
    expect(r.err()).toBe('');
    expect(JSON.parse(r.out())).toEqual({
      error: {
        code: 'NO_READER',
        message: 'listing readers: no smart-card reader is connected',
        messages: { zhTW: '無可用讀卡機，請確認已備妥讀卡機', en: 'No card reader is available; connect a reader' },
      },
    });
  });

  it('explains unexpected errors as INTERNAL and usage errors as USAGE', () => {
    expect(failureOf(new RangeError('boom'))).toMatchObject({ code: 'INTERNAL', key: 'cli.INTERNAL', detail: 'boom' });
    expect(failureOf(new UsageError('give a FILE'))).toEqual({ code: 'USAGE', key: 'cli.USAGE', detail: 'give a FILE' });
  });

  it('is what main() uses for every command', async () => {
    const zh = io({ LANG: 'zh_TW.UTF-8' });
    expect(await main(['cert', 'verify', 'x.pem'], zh.io)).toBe(2);
    expect(zh.err()).toMatch(/^twpki: 指令參數錯誤: --anchors DIR is required/);
    const json = io({});
    expect(await main(['cert', 'verify', 'x.pem', '--json'], json.io)).toBe(2);
    expect(JSON.parse(json.out())).toMatchObject({ error: { code: 'USAGE', messages: { zhTW: '指令參數錯誤', en: 'Invalid command arguments' } } });
    const en = io({ LANG: 'en_US.UTF-8' });
    expect(await main(['cert', 'verify', 'x.pem'], en.io)).toBe(2);
    expect(en.err()).toMatch(/^twpki: --anchors DIR is required/);
  });
});
