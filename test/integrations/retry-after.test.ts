/**
 * The card-login routes answered every 503 (a store outage, the CA's revocation source down or not knowing the
 * card, EMS or the mail relay failing in onLogin) without `Retry-After`, so the clients and proxies that honour it
 * had nothing to go by. Each cause now carries its own wait (RETRY_AFTER_SECONDS), through both adapters; no other
 * answer carries one. Every case is a real login: a test PKI's card signs, a local OCSP responder answers.
 * Every enrollment code is answered by the SDK's one table (ENROLL_ERROR_STATUS, ENROLL_RETRY_AFTER_SECONDS), the
 * one the reference portal answers its own routes with: another system down is 503 with a wait, never 502 or the
 * request's 409.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLoginMessage, ChallengeIssuer, LoginVerifierBuilder, RevocationChecker, type LoginVerifier } from '../../src/cert/index.js';
import { LoginVerificationError, LOGIN_ERROR_CODES } from '../../src/cert/trust/login/errors.js';
import { ENROLL_ERROR_CODES, EnrollError, type EnrollErrorCode } from '../../src/enroll/errors.js';
import { ENROLL_ERROR_STATUS, ENROLL_RETRY_AFTER_SECONDS, enrollErrorStatus, enrollRetryAfter } from '../../src/enroll/http-status.js';
import {
  cardLoginRetryAfter,
  cardLoginStatus,
  CardLoginHandler,
  CardLoginRequestError,
  RETRY_AFTER_SECONDS,
  type CardLoginOptions,
} from '../../src/integrations/card-login.js';
import { cardLogin as expressCardLogin } from '../../src/integrations/express.js';
import { cardLogin as fastifyCardLogin } from '../../src/integrations/fastify.js';
import { createTestPki, LocalRevocationServer, signLoginToken, type CardHolderCredentials } from '../../src/testing/index.js';

const ORIGIN = 'https://login.example.gov.tw';

let ocsp: LocalRevocationServer;
let card: CardHolderCredentials;
let root: Uint8Array;
let verifier: LoginVerifier;
let challenges: ChallengeIssuer;
/** What onLogin throws next; undefined: it logs in. */
let thrown: unknown;
let fastify: FastifyInstance;
let http: Server;
let expressBase: string;

function options<Req>(): CardLoginOptions<Req> {
  return {
    verifier,
    challenges,
    origin: ORIGIN,
    sessionId: () => 'session-1',
    onLogin: () => {
      if (thrown !== undefined) throw thrown;
      return { ok: 'logged in' };
    },
  };
}

beforeAll(async () => {
  ocsp = await LocalRevocationServer.start();
  const pki = await createTestPki({ ocspUrl: ocsp.ocspUrl, crlBaseUrl: ocsp.crlBaseUrl, authorities: ['moica'] });
  ocsp.addAuthority(pki.issuer('moica'));
  root = pki.root.certificate;
  card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  challenges = new ChallengeIssuer();
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    // No answer cache: each case sets the responder's behaviour for its own login.
    .withRevocationChecker(new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 }))
    .build();
  fastify = Fastify();
  await fastify.register(fastifyCardLogin, { prefix: '/login/card', ...options() });
  await fastify.ready();
  const app = express();
  app.use('/login/card', expressCardLogin(options()));
  http = app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  expressBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}/login/card`;
}, 120_000);

afterAll(async () => {
  await fastify?.close();
  await new Promise((r) => (http === undefined ? r(undefined) : http.close(r)));
  await ocsp?.close();
});

/** A fresh challenge signed by the card: the body a page posts. */
async function signedAnswer(): Promise<string> {
  const issued = await challenges.issue('session-1');
  return JSON.stringify(await signLoginToken(card, { tbs: buildLoginMessage({ origin: ORIGIN, challenge: issued.value }) }));
}

/** Status, code and Retry-After of one login through each adapter, as [fastify, express]. */
async function logins(): Promise<[number, string | undefined, string | undefined][]> {
  const viaFastify = await fastify.inject({ method: 'POST', url: '/login/card/verify', headers: { 'content-type': 'application/json' }, payload: await signedAnswer() });
  const viaExpress = await fetch(`${expressBase}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: await signedAnswer() });
  const expressBody = (await viaExpress.json()) as { error?: { code: string } };
  return [
    [viaFastify.statusCode, viaFastify.json<{ error?: { code: string } }>().error?.code, viaFastify.headers['retry-after'] as string | undefined],
    [viaExpress.status, expressBody.error?.code, viaExpress.headers.get('retry-after') ?? undefined],
  ];
}

describe('Retry-After on the card-login routes\' 503s', () => {
  it('a revocation source that fails (HTTP 500, then OCSP tryLater) is 503 REVOCATION_CHECK_FAILED, Retry-After: 60', async () => {
    for (const fail of [() => (ocsp.ocsp.httpStatus = 500), () => (ocsp.ocsp.errorStatus = 3)]) {
      fail();
      try {
        expect(await logins()).toEqual([
          [503, 'REVOCATION_CHECK_FAILED', '60'],
          [503, 'REVOCATION_CHECK_FAILED', '60'],
        ]);
      } finally {
        delete ocsp.ocsp.httpStatus;
        delete ocsp.ocsp.errorStatus;
      }
    }
  }, 60_000);

  it('a responder that does not know the card is 503 REVOCATION_UNKNOWN, Retry-After: 300', async () => {
    ocsp.ocsp.defaultStatus = { kind: 'unknown' };
    try {
      expect(await logins()).toEqual([
        [503, 'REVOCATION_UNKNOWN', '300'],
        [503, 'REVOCATION_UNKNOWN', '300'],
      ]);
    } finally {
      ocsp.ocsp.defaultStatus = { kind: 'good' };
    }
  }, 60_000);

  it.each([
    ['STORE_UNAVAILABLE', '5'],
    ['STORE_CLOSED', '5'],
    ['STORE_IN_USE', '5'],
    ['EMS_FAILURE', '60'],
    ['MAIL_FAILED', '60'],
    // Another system down (the company registry, the personnel system) or the 郵遞區號 table: were the default 409,
    // which blamed the request.
    ['COMPANY_REGISTRY_FAILURE', '60'],
    ['PERSONNEL_SYSTEM_FAILURE', '60'],
    ['POSTAL_CODES_UNAVAILABLE', '60'],
  ] as const)('onLogin throwing %s is 503 with Retry-After: %s', async (code, seconds) => {
    thrown = new EnrollError(code, 'x');
    try {
      expect(await logins()).toEqual([
        [503, code, seconds],
        [503, code, seconds],
      ]);
    } finally {
      thrown = undefined;
    }
  }, 60_000);

  it('the challenge route\'s 503 (its store down) carries it too', async () => {
    const down = new ChallengeIssuer({
      store: {
        put: () => Promise.reject(new EnrollError('STORE_UNAVAILABLE', 'connection refused')),
        consume: () => Promise.reject(new EnrollError('STORE_UNAVAILABLE', 'connection refused')),
      },
    });
    const downVerifier = new LoginVerifierBuilder().withTrustAnchors(root).withAllowedOrigins(ORIGIN).withChallenges(down).withoutRevocationCheck().build();
    const handler = new CardLoginHandler<object>({ ...options<object>(), challenges: down, verifier: downVerifier });
    const reply = await handler.challenge({});
    expect([reply.status, reply.headers]).toEqual([503, { 'retry-after': '5' }]);
  });

  it('no other answer carries Retry-After: a login, a refusal, a lost race, a server error', async () => {
    expect(await logins()).toEqual([
      [200, undefined, undefined],
      [200, undefined, undefined],
    ]);
    for (const [error, status, code] of [
      [new EnrollError('NOT_AUTHORIZED', 'x'), 403, 'NOT_AUTHORIZED'],
      [new EnrollError('CONCURRENT_UPDATE', 'x'), 409, 'CONCURRENT_UPDATE'],
      [new EnrollError('NESTED_TRANSACTION', 'x'), 500, 'NESTED_TRANSACTION'],
      // A deployment whose agency directory cannot search: not offered, not down (was the default 409).
      [new EnrollError('AGENCY_SEARCH_UNAVAILABLE', 'x'), 501, 'AGENCY_SEARCH_UNAVAILABLE'],
      // A state document that does not read back is malformed input (was the default 409).
      [new EnrollError('INVALID_STATE_DOCUMENT', 'x'), 400, 'INVALID_STATE_DOCUMENT'],
      [new Error('database password rejected'), 500, 'INTERNAL'],
    ] as const) {
      thrown = error;
      try {
        expect(await logins()).toEqual([
          [status, code, undefined],
          [status, code, undefined],
        ]);
      } finally {
        thrown = undefined;
      }
    }
  }, 60_000);
});

describe('every enrollment code through both adapters', () => {
  it('onLogin throwing each code is answered ENROLL_ERROR_STATUS, with ENROLL_RETRY_AFTER_SECONDS on a 503 only', async () => {
    const answered: [EnrollErrorCode, [number, string | undefined, string | undefined][]][] = [];
    const expected: typeof answered = [];
    for (const code of ENROLL_ERROR_CODES) {
      thrown = new EnrollError(code, 'x');
      try {
        answered.push([code, await logins()]);
      } finally {
        thrown = undefined;
      }
      const seconds = enrollRetryAfter(code);
      const one: [number, string, string | undefined] = [ENROLL_ERROR_STATUS[code], code, seconds === undefined ? undefined : String(seconds)];
      expected.push([code, [one, one]]);
    }
    expect(answered).toEqual(expected);
  }, 120_000);
});

describe('ENROLL_ERROR_STATUS', () => {
  it('answers every code; a 503 always with a whole number of seconds, nothing else with one', () => {
    expect(Object.keys(ENROLL_ERROR_STATUS).sort()).toEqual([...ENROLL_ERROR_CODES].sort());
    for (const code of ENROLL_ERROR_CODES) {
      const seconds = enrollRetryAfter(code);
      expect([code, enrollErrorStatus(code) === 503]).toEqual([code, seconds !== undefined]);
      if (seconds !== undefined) expect(Number.isInteger(seconds) && seconds > 0).toBe(true);
    }
    expect(Object.keys(ENROLL_RETRY_AFTER_SECONDS).sort()).toEqual(ENROLL_ERROR_CODES.filter((c) => ENROLL_ERROR_STATUS[c] === 503).sort());
  });

  it('a code that is no enrollment code (an error built with a cast, a prototype key) is 500 without Retry-After, not blamed on the request', () => {
    for (const code of ['NO_SUCH_CODE', 'toString', 'constructor', '__proto__']) {
      expect([code, enrollErrorStatus(code), enrollRetryAfter(code)]).toEqual([code, 500, undefined]);
      expect([code, cardLoginStatus(new EnrollError(code as EnrollErrorCode, 'x'))]).toEqual([code, 500]);
      // The same rule for the other two tables the routes read (a function off the prototype was the status).
      expect([code, cardLoginStatus(new LoginVerificationError('signature', code as never, 'x'))]).toEqual([code, 500]);
      expect([code, cardLoginStatus(new CardLoginRequestError(code as never, 'x'))]).toEqual([code, 500]);
    }
  });
});

describe('RETRY_AFTER_SECONDS', () => {
  const enrollStatus = (code: EnrollErrorCode) => cardLoginStatus(new EnrollError(code, 'x'));

  it('has a wait for every code the routes answer 503, and only for those', () => {
    const loginUnavailable = LOGIN_ERROR_CODES.filter((c) => cardLoginStatus(new LoginVerificationError('revocation', c, 'x')) === 503);
    const enrollUnavailable = ENROLL_ERROR_CODES.filter((c) => enrollStatus(c) === 503);
    expect(Object.keys(RETRY_AFTER_SECONDS).sort()).toEqual([...loginUnavailable, ...enrollUnavailable].sort());
    for (const c of loginUnavailable) expect(cardLoginRetryAfter(new LoginVerificationError('revocation', c, 'x'))).toBe(RETRY_AFTER_SECONDS[c as keyof typeof RETRY_AFTER_SECONDS]);
    for (const c of ENROLL_ERROR_CODES) {
      const seconds = cardLoginRetryAfter(new EnrollError(c, 'x'));
      expect([c, seconds !== undefined]).toEqual([c, enrollStatus(c) === 503]);
      if (seconds !== undefined) expect(Number.isInteger(seconds) && seconds > 0).toBe(true);
    }
    // A request's own refusal and a code that only looks like a 503 one (not an enrollment or login error) have none.
    expect(cardLoginRetryAfter(new CardLoginRequestError('BODY_INVALID', 'x'))).toBeUndefined();
    expect(cardLoginRetryAfter(Object.assign(new Error('x'), { code: 'STORE_UNAVAILABLE' }))).toBeUndefined();
  });
});
