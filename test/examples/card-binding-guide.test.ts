/**
 * The card-binding guide's first snippet, run as written. A team following it got `submitBasicData` refused
 * (`basicData.mailingAddress`, `basicData.contactName`, `basicData.contactEmail` REQUIRED): the guide left
 * `formFields` to the reader and never said what it holds. The snippet now spells the form out, and this test
 * runs it against the real parts: the guide's EMS extract (its `json` block) in a file, the real SmtpMailer
 * talking to an SMTP server on 127.0.0.1, PGlite and PostgreSQL (both branches of its `store`), and a login
 * verified by the real LoginVerifier. Only what the guide leaves to the reader is given: the imports resolve to
 * the source, the two relative paths to a temporary folder, the SMTP host to the local one, and the free names
 * (`verifiedLogin`, `phone`, `email`, `staffId`, and `tokenFromTheLink`, read from the mail the snippet's
 * `approve` sent). It must end with the account active and the card logging in to it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cert from '../../src/cert/index.js';
import * as ems from '../../src/ems/index.js';
import * as enroll from '../../src/enroll/index.js';
import * as enrollPg from '../../src/enroll/pg.js';
import * as enrollPglite from '../../src/enroll/pglite.js';
import * as enrollSmtp from '../../src/enroll/smtp.js';
import { createTestPki, signLoginToken } from '../../src/testing/index.js';
import { stopOwnPostgres } from '../enroll/helpers.js';
import { guideBlock, itRunsOnBothStores, runGuideSnippet } from './support/guide-snippet.js';

const GUIDE = readFileSync(new URL('../../docs/guides/card-binding.md', import.meta.url), 'utf8');
const MODULES: Record<string, unknown> = {
  'twpki/cert': cert,
  'twpki/ems': ems,
  'twpki/enroll': enroll,
  'twpki/enroll/pg': enrollPg,
  'twpki/enroll/pglite': enrollPglite,
  'twpki/enroll/smtp': enrollSmtp,
};

/** The first block of `lang` in the guide. */
const block = (lang: string): string => guideBlock(GUIDE, 'card-binding.md', lang);

/**
 * A text mail's DATA with its body decoded: nodemailer sends a mostly-Chinese text as base64 and the rest as
 * quoted-printable.
 */
function decodeMail(data: string): string {
  const split = data.indexOf('\n\n');
  if (split >= 0 && /^Content-Transfer-Encoding: base64$/im.test(data.slice(0, split))) {
    return `${data.slice(0, split)}\n\n${Buffer.from(data.slice(split + 2).replace(/\s/g, ''), 'base64').toString('utf8')}`;
  }
  return data.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A minimal SMTP server keeping each message's DATA (its body decoded). */
function smtpServer(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let data: string | undefined;
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== undefined) {
          if (line === '.') {
            messages.push(decodeMail(data));
            data = undefined;
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'DATA') {
          data = '';
          socket.write('354 go\r\n');
        } else if (cmd === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0, messages });
    }),
  );
}

interface Ran {
  readonly store: enroll.EnrollStore;
  readonly flow: enroll.AccountEnrollmentFlow;
  readonly app: enroll.AccountApplication;
  readonly verifiedLogin: cert.VerifiedLogin;
}

let dir: string;
let smtp: Awaited<ReturnType<typeof smtpServer>>;
let verifiedLogin: cert.VerifiedLogin;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twpki-card-binding-guide-'));
  writeFileSync(join(dir, 'ems-extract.json'), block('json'));
  smtp = await smtpServer();
  const origin = 'https://service.example.gov.tw';
  const pki = await createTestPki({ authorities: ['moica'] });
  const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  const challenges = new cert.ChallengeIssuer();
  const verifier = new cert.LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(origin)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
  const challenge = await challenges.issue('session-1');
  const token = await signLoginToken(card, { tbs: cert.buildLoginMessage({ origin, challenge: challenge.value }), cardNumber: 'TP03000012345678' });
  verifiedLogin = await verifier.verify(token, { sessionId: 'session-1' });
}, 120_000);

afterAll(async () => {
  await new Promise((r) => smtp?.server.close(r));
  rmSync(dir, { recursive: true, force: true });
  await stopOwnPostgres();
});

/** Runs the snippet; `databaseUrl` is its `process.env.DATABASE_URL`. */
async function runSnippet(databaseUrl: string | undefined, dataDir: string): Promise<Ran> {
  const mailed = smtp.messages.length;
  const tokenFromMail = (): string => {
    const mail = smtp.messages.slice(mailed).find((m) => m.includes('/activate?key='));
    const key = /\/activate\?key=([A-Za-z0-9_-]+)/.exec(mail ?? '')?.[1];
    if (key === undefined) throw new Error('the snippet\'s approve mailed no activation link');
    return key;
  };
  const ran = await runGuideSnippet<Omit<Ran, 'verifiedLogin'>>({
    snippet: block('ts'),
    // What the guide leaves to the reader's machine: where files are and which SMTP server to use.
    replace: [
      ["'./enroll-data'", JSON.stringify(dataDir)],
      ["'./ems-extract.json'", JSON.stringify(join(dir, 'ems-extract.json'))],
      ["'smtp://smtp.example.gov.tw:25'", JSON.stringify(`smtp://127.0.0.1:${smtp.port}`)],
      ['process.env.DATABASE_URL', '__env.DATABASE_URL'],
      // `tokenFromTheLink` is read when the snippet reaches it: after its approve mailed the link.
      ['flow.activate(tokenFromTheLink)', 'flow.activate(__free.tokenFromTheLink())'],
    ],
    modules: MODULES,
    env: { DATABASE_URL: databaseUrl },
    free: { verifiedLogin, phone: '02-2311-1234', email: 'owner@example.com.tw', staffId: 'staff-1', tokenFromTheLink: tokenFromMail },
    returns: ['store', 'flow', 'app'],
  });
  return { ...ran, verifiedLogin };
}

async function expectActive(ran: Ran): Promise<void> {
  try {
    expect((await ran.flow.get(ran.app.id)).status).toBe('active');
    expect(await ran.flow.resolveLogin(enroll.cardHolderFromLogin(ran.verifiedLogin))).toBe('E5600123');
    // The card session the guide then describes: the account the snippet opened, and a login that stands.
    const opened = await ran.flow.openCardSession(enroll.cardHolderFromLogin(ran.verifiedLogin));
    expect(opened.account).toMatchObject({ id: ran.app.id, controlNumber: 'E5600123', ownerId: ran.app.ownerId });
    expect((await ran.flow.checkCardSession(opened.login)).binding.cardNumber).toBe(opened.login.cardNumber);
  } finally {
    await ran.store.close();
  }
}

describe('docs/guides/card-binding.md, first snippet', () => {
  it('the form it shows has every field submitBasicData requires, and matches the EMS extract it shows', () => {
    const form = /const formFields = (\{[\s\S]*?\n\});/.exec(block('ts'))?.[1];
    expect(form).toBeDefined();
    const keys = [...(form ?? '').matchAll(/^\s+(\w+):/gm)].map((m) => m[1]);
    expect(keys).toEqual(['controlNumber', 'companyName', 'responsiblePerson', 'facilityAddress', 'facilityEmail', 'mailingAddress', 'contactName', 'contactEmail']);
    // The guide's table lists the same keys, in the same order.
    expect([...GUIDE.matchAll(/^\| `(\w+)` \| /gm)].map((m) => m[1])).toEqual(keys);
  });

  itRunsOnBothStores({
    ending: 'applied, compared, bound, approved, mailed, activated',
    dir: () => dir,
    dataDirName: 'enroll-data',
    schema: 'guide_card_binding',
    run: runSnippet,
    check: async (ran, store) => {
      expect(ran.store).toBeInstanceOf(store === 'pglite' ? enrollPglite.PgliteStore : enrollPg.PgStore);
      await expectActive(ran);
    },
  });
});
