/**
 * `/addDomain` as the library decides it (src/agent/add-domain.ts), through real HTTP: what the host's
 * `confirmDomain` is told (the normalised entry, the page that asked), a refusal with the host's reason (escaped on
 * the page), a host that throws, and requests that are not a popup's page, which nobody is asked about.
 * The CLI's use of it (refusing, or asking on a terminal) is in agent-cli-add-domain.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, RetCode, startAgent, type AgentServer, type DomainDecision, type DomainRequest, type Pkcs11Info } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard } from '../../src/testing/index.js';

let agent: AgentServer;
let bare: AgentServer;
/** What the host was asked, in order. */
const asked: { domain: string; request: DomainRequest }[] = [];
/** What the host answers next. */
let decide: (domain: string) => Promise<DomainDecision> = () => Promise.resolve(true);

/** The string the popup posts to its opener: `{"ret_code":N}`, as it appears in the page's script. */
const posted = (retCode: number): string => JSON.stringify(JSON.stringify({ ret_code: retCode }));

/** Headers a browser sends when a page opens `/addDomain` as a popup. */
const popupFrom = (referer: string): Record<string, string> => ({ Referer: referer, 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' });

async function addDomain(domain: string, headers: Record<string, string> = {}, on: AgentServer = agent): Promise<string> {
  return (await fetch(`http://127.0.0.1:${on.port}/addDomain?domain=${encodeURIComponent(domain)}`, { headers })).text();
}

async function infoRetCode(origin: string): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info).ret_code;
}

beforeAll(async () => {
  const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
  reader.insert(await createVirtualHiCOSCard());
  const slots = new EmulatorCardSlots(reader);
  agent = await startAgent({
    slots,
    port: 0,
    confirmDomain: (domain, request) => {
      asked.push({ domain, request });
      return decide(domain);
    },
  });
  bare = await startAgent({ slots, port: 0 });
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await bare?.close();
});

beforeEach(() => {
  asked.length = 0;
  decide = () => Promise.resolve(true);
});

describe('/addDomain: what the host is asked', () => {
  it('the entry as the list will hold it, and the origin of the page that opened the popup (its Referer)', async () => {
    expect(await addDomain(' Gov.Example:8443 ', popupFrom('https://gov.example:8443/login?next=/apply'))).toContain(posted(0));
    expect(asked).toEqual([{ domain: ' Gov.Example:8443 ', request: { entry: 'gov.example:8443', askedBy: 'https://gov.example:8443' } }]);
    expect(await infoRetCode('https://gov.example:8443')).toBe(0);
  });

  it('the Origin when the browser sends one, a host in ASCII whatever the header held, and nobody when neither is sent', async () => {
    decide = () => Promise.resolve(false);
    await addDomain('a.example', { Origin: 'https://page.example' });
    // A page on an internationalised host: the URL parser writes it in punycode, which a terminal shows as it is.
    await addDomain('b.example', popupFrom('https://xn--fiq228c.example/'));
    await addDomain('c.example', { 'Sec-Fetch-Dest': 'document' });
    await addDomain('d.example', popupFrom('not a url'));
    expect(asked.map((a) => a.request.askedBy)).toEqual(['https://page.example', 'https://xn--fiq228c.example', undefined, undefined]);
  });

  it('a page opened as an image, a fetch or a frame is refused without asking: real pages open a popup', async () => {
    for (const dest of ['image', 'empty', 'iframe', 'script']) {
      const page = await addDomain('quiet.example', { ...popupFrom('https://quiet.example/'), 'Sec-Fetch-Dest': dest });
      expect(page, dest).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(page, dest).toContain('only to a page opened in a window (a popup)');
    }
    expect(asked).toEqual([]);
    expect(await infoRetCode('https://quiet.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });
});

describe('/addDomain: what the popup page says', () => {
  it('a refusal with the host\'s reason shows it, escaped, and trusts nothing', async () => {
    decide = () => Promise.resolve({ refused: 'ask <b>the operator</b> & "retry" <img src=x onerror=alert(1)>' });
    const page = await addDomain('reason.example', popupFrom('https://reason.example/'));
    expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(page).toContain('ask &#60;b&#62;the operator&#60;/b&#62; &#38; &#34;retry&#34; &#60;img src=x onerror=alert(1)&#62;');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>');
    expect(await infoRetCode('https://reason.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('a host that throws: the confirmation failed (not "not a valid domain"), and its error is not shown', async () => {
    decide = () => Promise.reject(new Error('dialog crashed at /home/operator/secret'));
    const page = await addDomain('Fails.Example', popupFrom('https://fails.example/'));
    expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(page).toContain('the confirmation failed: fails.example was not trusted');
    expect(page).not.toContain('not a valid domain');
    expect(page).not.toContain('secret');
    expect(await infoRetCode('https://fails.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('only true trusts: a JavaScript host\'s truthy 1 or "yes" is a refusal', async () => {
    for (const truthy of [1, 'yes', {}]) {
      decide = () => Promise.resolve(truthy as unknown as DomainDecision);
      const page = await addDomain('truthy.example', popupFrom('https://truthy.example/'));
      expect(page, String(truthy)).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
      expect(page, String(truthy)).toContain('truthy.example was not trusted: the request was refused');
    }
    expect(await infoRetCode('https://truthy.example')).toBe(RetCode.UNTRUSTED_DOMAIN);
  });

  it('closes itself after a success only: a refusal stays open so its text can be read', async () => {
    expect(await addDomain('closes.example', popupFrom('https://closes.example/'))).toContain('window.close()');
    decide = () => Promise.resolve(false);
    expect(await addDomain('stays.example', popupFrom('https://stays.example/'))).not.toContain('window.close');
  });

  it('a plain no, and no host at all, name the entry that was not trusted', async () => {
    decide = () => Promise.resolve(false);
    expect(await addDomain('No.Example', popupFrom('https://no.example/'))).toContain('no.example was not trusted: the request was refused');
    const page = await addDomain('No.Example', popupFrom('https://no.example/'), bare);
    expect(page).toContain(posted(RetCode.UNTRUSTED_DOMAIN));
    expect(page).toContain('no.example was not trusted: this agent trusts only the sites its operator configures');
    expect(await addDomain('', popupFrom('https://no.example/'), bare)).toContain('no domain given');
  });
});
