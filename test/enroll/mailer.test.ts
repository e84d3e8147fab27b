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
    await mailer.send(activationNotice('ems@example.com.tw', 'https://x.gov.tw/a?key=abc', '2026-03-09T01:00:00.000Z', DEFAULT_BRANDING));
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
