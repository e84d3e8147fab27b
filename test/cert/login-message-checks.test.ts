import { describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, parseLoginMessage, type LoginMessage } from '../../src/cert/index.js';

// buildLoginMessage refuses what no verifier could accept (a missing field became the text "undefined", a
// non-origin or an origin with a path was written as given), with the origin rule withAllowedOrigins uses.
// RangeError naming the field, as before for a newline and as ChallengeIssuer.issue does for a bad session id.

const build = (message: unknown): string => buildLoginMessage(message as LoginMessage);
const CHALLENGE = 'abc_-1';

describe('buildLoginMessage checks its input', () => {
  it('refuses a missing or non-object message', () => {
    expect(() => build(undefined)).toThrow(new RangeError('buildLoginMessage needs { origin, challenge }, got undefined (missing)'));
    expect(() => build(null)).toThrow(new RangeError('buildLoginMessage needs { origin, challenge }, got null'));
    expect(() => build('https://a.gov.tw')).toThrow(RangeError);
  });

  it('refuses a missing origin or challenge instead of writing "undefined"', () => {
    expect(() => build({})).toThrow(new RangeError("buildLoginMessage: origin must be a string such as 'https://service.example.gov.tw', got undefined (missing)"));
    expect(() => build({ origin: 'https://a.gov.tw' })).toThrow(/^buildLoginMessage: challenge must be the base64url text ChallengeIssuer\.issue returned .*got undefined \(missing\)$/);
  });

  it('refuses an origin that is not exactly scheme://host[:port], by the rule withAllowedOrigins uses', () => {
    const cases: [unknown, string][] = [
      ['not a url', 'buildLoginMessage: origin is not a URL: "not a url"'],
      ['https://a.gov.tw/path/', 'buildLoginMessage: origin must be exactly scheme://host[:port] ("https://a.gov.tw"), got "https://a.gov.tw/path/"'],
      ['https://a.gov.tw/', 'buildLoginMessage: origin must be exactly scheme://host[:port] ("https://a.gov.tw"), got "https://a.gov.tw/"'],
      ['HTTPS://A.gov.tw', 'buildLoginMessage: origin must be exactly scheme://host[:port] ("https://a.gov.tw"), got "HTTPS://A.gov.tw"'],
      ['https://a\n', 'buildLoginMessage: origin must be exactly scheme://host[:port] ("https://a"), got "https://a\\n"'],
      [42, "buildLoginMessage: origin must be a string such as 'https://service.example.gov.tw', got 42"],
    ];
    for (const [origin, message] of cases) {
      expect(() => build({ origin, challenge: CHALLENGE })).toThrow(new RangeError(message));
      // The same origins are refused by the builder: one rule.
      expect(() => new LoginVerifierBuilder().withAllowedOrigins(origin as string)).toThrow(message.replace('buildLoginMessage', 'withAllowedOrigins'));
    }
  });

  it('refuses a challenge that is not base64url text (a number, empty, a newline)', () => {
    for (const challenge of [42, '', 'a\nb', 'a b', 'abc=', null]) {
      expect(() => build({ origin: 'https://a.gov.tw', challenge })).toThrow(/^buildLoginMessage: challenge must be the base64url text/);
    }
  });

  it('builds what parseLoginMessage reads back, for an issued challenge and an origin with a port', async () => {
    const issued = await new ChallengeIssuer().issue('s');
    const text = buildLoginMessage({ origin: 'http://127.0.0.1:8080', challenge: issued.value });
    expect(parseLoginMessage(text)).toEqual({ origin: 'http://127.0.0.1:8080', challenge: issued.value });
  });
});
