import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { SmtpMailer } from '../../src/enroll/mail/smtp-mailer.js';
import { activationNotice, DEFAULT_BRANDING, rejectionNotice } from '../../src/enroll/mail/account-notices.js';

/** Minimal SMTP server: records envelope and data; refuses recipients in `refuse`. */
function smtpServer(refuse: readonly string[] = []): Promise<{ server: Server; port: number; messages: Array<{ from: string; to: string[]; data: string }> }> {
  const messages: Array<{ from: string; to: string[]; data: string }> = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else current.data += `${line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250 test\r\n');
        else if (cmd === 'MAIL') {
          current.from = line;
          socket.write('250 ok\r\n');
        } else if (cmd === 'RCPT') {
          if (refuse.some((r) => line.includes(r))) socket.write('550 no such user\r\n');
          else {
            current.to.push(line);
            socket.write('250 ok\r\n');
          }
        } else if (cmd === 'DATA') {
          inData = true;
          socket.write('354 go\r\n');
        } else if (cmd === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return listen(server).then((port) => ({ server, port, messages }));
}

/** Starts `server` on a free port of 127.0.0.1 and answers the port. */
function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
    });
  });
}

let open: Server | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

describe('SmtpMailer', () => {
  it('delivers a notice over SMTP to the given recipient', async () => {
    const { server, port, messages } = await smtpServer();
    open = server;
    const mailer = new SmtpMailer({ from: 'GPS 客服 <toxicgps@example.gov.tw>', transport: { host: '127.0.0.1', port, secure: false, ignoreTLS: true } });
    await mailer.send(activationNotice('ems@example.com.tw', 'https://x.gov.tw/a?key=abc', DEFAULT_BRANDING));
    mailer.close();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.to).toEqual(['RCPT TO:<ems@example.com.tw>']);
    expect(messages[0]?.from).toContain('toxicgps@example.gov.tw');
    expect(messages[0]?.data).toMatch(/Subject: /);
  });

  it('rejects when the server refuses the recipient', async () => {
    const { server, port } = await smtpServer(['nobody@']);
    open = server;
    const mailer = new SmtpMailer({ from: 'a@example.gov.tw', transport: { host: '127.0.0.1', port, secure: false, ignoreTLS: true } });
    await expect(mailer.send({ to: 'nobody@example.com', subject: 's', text: 't' })).rejects.toThrow();
    mailer.close();
  });
});

/** A server that takes the connection and never says a word (an overloaded or wedged mail host). */
function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  return listen(server).then((port) => ({ server, port }));
}

describe('SmtpMailer against a server that never answers', () => {
  it('gives up after timeoutMs, for transport options and for an SMTP URL alike', async () => {
    const { server, port } = await silentServer();
    open = server;
    for (const transport of [{ host: '127.0.0.1', port, secure: false, ignoreTLS: true }, `smtp://127.0.0.1:${port}/?ignoreTLS=true`]) {
      const mailer = new SmtpMailer({ from: 'a@example.gov.tw', transport, timeoutMs: 300 });
      const started = Date.now();
      await expect(mailer.send({ to: 'b@example.com', subject: 's', text: 't' })).rejects.toThrow();
      // nodemailer's own default would wait 30 s for the greeting.
      expect(Date.now() - started).toBeLessThan(5_000);
      mailer.close();
    }
  });

  it('refuses a timeout that is not a positive number, naming it', () => {
    for (const timeoutMs of [0, -1, Number.NaN]) {
      expect(() => new SmtpMailer({ from: 'a@example.gov.tw', transport: 'smtp://127.0.0.1:25', timeoutMs })).toThrow(/timeoutMs/);
    }
  });

  it('refuses a timeout of the wrong kind or beyond what a timer holds (a string reached nodemailer, Infinity fired after 1 ms)', () => {
    for (const timeoutMs of ['5000', Number.POSITIVE_INFINITY, 2 ** 31, 1.5]) {
      expect(() => new SmtpMailer({ from: 'a@example.gov.tw', transport: 'smtp://127.0.0.1:25', timeoutMs: timeoutMs as number })).toThrow(
        new RangeError(`SmtpMailer: option timeoutMs must be a whole number of milliseconds from 1 to 2147483647, not ${typeof timeoutMs === 'string' ? `"${timeoutMs}"` : String(timeoutMs)}`),
      );
    }
    expect(() => new SmtpMailer({ from: 'a@example.gov.tw', transport: 'smtp://127.0.0.1:25', timeoutMs: 2 ** 31 - 1 })).not.toThrow();
  });
});

describe('SmtpMailer options, checked when built rather than at the first send', () => {
  const transport = 'smtp://127.0.0.1:25';
  const build = (options: unknown) => () => new SmtpMailer(options as never);

  it('refuses options that are not an object, naming them (nodemailer threw a TypeError of its own)', () => {
    for (const [options, shown] of [[5, '5'], [null, 'null'], [undefined, 'undefined (missing)'], [[], 'an array']] as const) {
      expect(build(options)).toThrow(new RangeError(`SmtpMailer: options must be an object, not ${shown}`));
    }
  });

  it('refuses a misspelt option (form for from left the sender unset until a send)', () => {
    expect(build({ form: 'a@example.gov.tw', transport })).toThrow(new RangeError('SmtpMailer: "form" is not an option (they are from, transport, timeoutMs)'));
    expect(build({ from: 'a@example.gov.tw', transport, timeout: 5000 })).toThrow(/"timeout" is not an option/);
  });

  it('refuses a missing or empty sender and a transport that is neither a URL nor an object, naming the option', () => {
    expect(build({ transport })).toThrow(/^SmtpMailer: option from must be the sender .*, not undefined \(missing\)$/);
    expect(build({ from: '  ', transport })).toThrow(/option from must be/);
    expect(build({ from: 'a@example.gov.tw' })).toThrow(
      new RangeError('SmtpMailer: option transport must be an SMTP URL (a non-empty string) or nodemailer transport options (an object), not undefined (missing)'),
    );
    for (const bad of ['', 25, null, [transport]]) expect(build({ from: 'a@example.gov.tw', transport: bad })).toThrow(/option transport must be/);
  });
});

describe('CapturingMailer and notices', () => {
  it('captures, filters and fails on request', async () => {
    const m = new CapturingMailer();
    await m.send(rejectionNotice('a@b.tw', '事業地址不符', DEFAULT_BRANDING));
    m.failNext();
    await expect(m.send({ to: 'c@d.tw', subject: 's', text: 't' })).rejects.toThrow();
    await m.send({ to: 'c@d.tw', subject: 's', text: 't' });
    expect(m.to('a@b.tw')[0]?.text).toContain('事業地址不符');
    expect(m.sent).toHaveLength(2);
    expect(m.last()?.to).toBe('c@d.tw');
  });
});

describe('the GPS notices in the seed\'s words (moenv-gps seed, 帳號申請認證 mails)', () => {
  const gps = { systemName: '毒性及關注化學物質運送車輛即時追蹤系統專區', signature: '毒關化物車輛 GPS 客服' };

  it('審核通過: the seed\'s mail, the link and nothing else', () => {
    const mail = activationNotice('ems@example.com.tw', 'https://gps.example.gov.tw/gpszone/AccountActivate.aspx?key=q1', gps);
    expect(mail).toEqual({
      to: 'ems@example.com.tw',
      subject: '毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證',
      text:
        '您好\n\n毒性及關注化學物質運送車輛即時追蹤系統專區通知，請點選下列連結開通帳號權限；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n' +
        'https://gps.example.gov.tw/gpszone/AccountActivate.aspx?key=q1\n\n敬祝 順心\n毒關化物車輛 GPS 客服\n',
    });
  });

  it('審核未通過 with a result page: 請點選連結確認 and the link, as the seed\'s mail; without one, the reason in the mail', () => {
    const linked = rejectionNotice('ems@example.com.tw', '事業地址不符', gps, 'https://gps.example.gov.tw/gpszone/AccountApplyResult.aspx?key=r1');
    expect(linked.text).toBe(
      '您好\n\n毒性及關注化學物質運送車輛即時追蹤系統專區通知，帳號申請未通過，請點選連結確認；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n' +
        'https://gps.example.gov.tw/gpszone/AccountApplyResult.aspx?key=r1\n\n敬祝 順心\n毒關化物車輛 GPS 客服\n',
    );
    const plain = rejectionNotice('ems@example.com.tw', '事業地址不符', gps);
    expect(plain.text).toContain('帳號申請未通過，原因：事業地址不符；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。');
    expect(plain.text).toContain('若資料有誤請至EMS修正，並依正確資料重新申請。');
  });
});
