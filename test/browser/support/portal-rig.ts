/**
 * What the portal's browser tests share: the portal with its systems, a real
 * local agent over pcscd, virtual cards put into vpcd readers (each reader
 * locked for the run), the mail sink, headless Chromium, and page helpers
 * (screenshots, the reviewer login, waiting for a message).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EmulatorCardSlots, PcscCardSlots, startAgent, type AgentServer, type CardSlots } from 'twpki/agent';
import { EmulatorReader, PcscContext } from 'twpki/pcsc';
import { VpcdBridge, vpcdReaderName, type TestPki, type VirtualHiCOSCard } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../../examples/portal/core/mail-sink.js';
import { demoTrust } from '../../../examples/portal/demo-setup.js';
import type { PortalSystem } from '../../../examples/portal/core/portal.js';
import { startPortal, type Portal } from '../../../examples/portal/server.js';
import { READER_TURN_WAIT_MS, lockReader } from '../../support/reader-lock.js';
import { artifactPath, launchChromium } from '../chromium.js';
import { inject } from 'vitest';
import type { EnrollStore } from 'twpki/enroll';
import { openPglite, openPgStore } from '../../enroll/helpers.js';

/**
 * The timeout of a `beforeAll` that starts the rig: the rig waits there for its readers, the file's turn after every
 * other reader file's (see startPortalRig), and then starts the file's cards.
 */
export const RIG_START_TIMEOUT_MS = READER_TURN_WAIT_MS + 120_000;

/** The reviewer password the rig's portal is configured with. */
export const RIG_REVIEWER_PASSWORD = 'portal-rig-reviewer';

/** A running rig. */
export interface PortalRig {
  readonly pki: TestPki;
  readonly portal: Portal;
  readonly agent: AgentServer;
  readonly sink: MailSink;
  readonly browser: Browser;
  /**
   * Puts `card` into the vpcd reader on `port` (removing what was there) and waits until pcscd sees it; on an
   * in-process rig, into its one reader (named by that port), where the agent sees it at once.
   */
  insert(port: number, card: VirtualHiCOSCard): Promise<void>;
  /** A page in a fresh browser context (own cookies, so its own session); closed by {@link PortalRig.closePages}. */
  newPage(): Promise<Page>;
  /** Closes every page opened since the last call (a page left open could still be talking to the agent). */
  closePages(): Promise<void>;
  /** A full-page screenshot in test-artifacts/. */
  shot(page: Page, name: string): Promise<void>;
  /** Logs `page` in as the reviewer (the login form) and returns to `path`. */
  reviewerLogin(page: Page, path: string): Promise<void>;
  /**
   * The file's reviewer page at `path`: logged in (with {@link PortalRig.reviewerLogin}) the first time, then the
   * same page and session again; left open by {@link PortalRig.closePages}, closed by {@link PortalRig.close}.
   */
  reviewerPage(path: string): Promise<Page>;
  /** Stops everything. */
  close(): Promise<void>;
}

/**
 * Where the rig's agent finds its cards:
 * - `pcscd` (default): the vpcd readers on `ports`, through the machine's pcscd, as a user's agent finds a reader.
 *   The readers are shared with every other reader file, which take turns (the run waits on those turns);
 * - `in-process`: one in-process reader (what `twpki agent` and the demo use when there is no pcscd), named by the
 *   single port in `ports` (its name is the vpcd reader's on that port, so the pages read the same). No turn to wait for. For the files whose subject is
 *   a system's pages: pcscd under the agent and the browser stays covered by the files that keep `pcscd` (GPS, and
 *   GEPI with two readers) and by the agent's own reader files.
 */
export type RigReaders = 'pcscd' | 'in-process';

/**
 * Starts the rig with `systems` made from `pki` (the test's: it can issue its
 * cards while the rig starts), holding the vpcd readers on `ports` (or one in-process reader: `readers`).
 */
export async function startPortalRig(options: {
  pki: TestPki;
  systems: (pki: TestPki) => PortalSystem[];
  ports: readonly number[];
  prefix: string;
  readers?: RigReaders;
}): Promise<PortalRig> {
  const pki = options.pki;
  if (options.readers === 'in-process' && options.ports.length !== 1) throw new Error('an in-process rig has one reader: give one port to name it');
  // Named as pcscd names the vpcd reader on that port, so a file's page steps (the reader chosen in a page's card
  // list) read the same on either kind of rig.
  const inProcess = options.readers === 'in-process' ? new EmulatorReader({ name: vpcdReaderName(options.ports[0]) }) : undefined;
  const releases: Array<() => void> = [];
  const bridges = new Map<number, VpcdBridge>();
  // Everything independent starts at once: Chromium (its own processes), the mail sink and the store, none of which
  // touches a card, while the rig waits for its readers (in port order, as every file that takes two does; the wait
  // is the file's turn, after every other reader file's). The card slots and the agent open once the readers are
  // the rig's: an agent watching pcscd through other files' turns was not needed, so it is not risked. The portal
  // (which bundles twpki/browser) starts as soon as the agent and the sink have their addresses.
  const launched = launchChromium();
  const sinkUp = startMailSink();
  const storeUp = openStore(options.prefix);
  const readersTaken = (async () => {
    if (inProcess !== undefined) return;
    for (const port of [...options.ports].sort((a, b) => a - b)) releases.push(await lockReader(port, READER_TURN_WAIT_MS));
  })();
  const slotsOpen = readersTaken.then(
    (): Promise<CardSlots> =>
      inProcess === undefined ? PcscCardSlots.open() : Promise.resolve(new EmulatorCardSlots(inProcess)),
  );
  const agentUp = slotsOpen.then((s) => startAgent({ slots: s, port: 0 }));
  const portalUp = Promise.all([agentUp, sinkUp, storeUp]).then(([a, m, db]) =>
    startPortal({
      port: 0,
      systems: options.systems(pki),
      ...demoTrust(pki),
      agentUrl: a.url,
      smtp: { host: m.host, port: m.port },
      reviewerPassword: RIG_REVIEWER_PASSWORD,
      devMailbox: () => m.messages,
      store: db,
    }),
  );
  const parts = [portalUp, launched, storeUp, sinkUp, agentUp, slotsOpen] as const;
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Stop what did start (in the order close() uses) and let the readers go.
    for (const r of settled) if (r.status === 'fulfilled') await r.value.close().catch(() => undefined);
    await readersTaken.catch(() => undefined);
    for (const release of releases) release();
    throw failed.reason;
  }
  const [portal, browser, store, sink, agent, slots] = await Promise.all(parts);
  agent.trusted.add(portal.url);
  const contexts: BrowserContext[] = [];
  let reviewer: Page | undefined;
  const releaseReaders = (): void => {
    for (const release of releases.splice(0)) release();
  };

  /** Waits (up to 5 s) until pcscd reports the reader on `port` empty; says whether it did. */
  async function waitForEmpty(port: number): Promise<boolean> {
    const ctx = await PcscContext.establish();
    try {
      const until = Date.now() + 5_000;
      const holds = (): boolean => ctx.readers().some((r) => r.name === vpcdReaderName(port) && r.cardPresent);
      while (Date.now() < until && holds()) await new Promise((r) => setTimeout(r, 50));
      return !holds();
    } finally {
      await ctx.close();
    }
  }

  /**
   * Waits up to 15 s until pcscd reports a card in the reader on `port`: `undefined` once it does, else what went
   * wrong, for a warning or the failure. Under a full suite's load a swapped card has twice not been seen: once
   * within 10 s, once within 30 s with the card never asked for an APDU and pcscd listing the reader empty. The
   * words say whether the previous card was seen leaving and whether vpcd still holds the new connection, so
   * that a next occurrence tells a slow machine from a dropped connection or an exchange vpcd never finished.
   */
  async function waitForCard(port: number, bridge: VpcdBridge, previousGone: boolean): Promise<string | undefined> {
    const ctx = await PcscContext.establish();
    const since = Date.now();
    try {
      const dropped = bridge.closed.then(() => 'dropped' as const);
      const shown = ctx.waitForCard(vpcdReaderName(port), { timeoutMs: 15_000 }).then(
        () => 'shown' as const,
        () => 'timeout' as const,
      );
      const outcome = await Promise.race([shown, dropped]);
      if (outcome === 'shown') return undefined;
      const seen = JSON.stringify(ctx.readers().map((r) => ({ ...r, atr: r.atr && Buffer.from(r.atr).toString('hex') })));
      return (
        `pcscd did not show the card in ${vpcdReaderName(port)} within ${Date.now() - since} ms of the bridge connecting ` +
        `(previous card ${previousGone ? 'seen leaving' : 'still shown 5 s after its bridge closed'}; ` +
        `the card answered ${bridge.apduCount} APDUs; vpcd ${outcome === 'dropped' ? 'closed' : 'still holds'} the connection; readers: ${seen})`
      );
    } finally {
      await ctx.close();
    }
  }

  /** The reviewer login form, then back to `path`. */
  async function reviewerLogin(page: Page, path: string): Promise<void> {
    await page.goto(`${portal.url}${path}`);
    await page.waitForSelector('#reviewer-password');
    await page.fill('#reviewer-password', RIG_REVIEWER_PASSWORD);
    await Promise.all([page.waitForURL(`${portal.url}${path}`), page.click('#reviewer-login')]);
  }

  return {
    pki,
    portal,
    agent,
    sink,
    browser,
    async insert(port, card) {
      if (inProcess !== undefined) {
        if (port !== options.ports[0]) throw new Error(`the in-process rig's one reader is named by port ${String(options.ports[0])}, not ${port}`);
        inProcess.remove();
        inProcess.insert(card);
        return;
      }
      const old = bridges.get(port);
      let previousGone = true;
      if (old) {
        await old.close();
        previousGone = await waitForEmpty(port);
      }
      // Taken out and put in again when pcscd does not show it (see waitForCard), at most three times.
      for (let attempt = 1; ; attempt++) {
        const bridge = await VpcdBridge.connect(card, { port });
        bridges.set(port, bridge);
        const problem = await waitForCard(port, bridge, previousGone);
        if (problem === undefined) return;
        if (attempt === 3) throw new Error(`${problem}; the third insertion`);
        console.warn(`portal rig: ${problem}; inserting the card again`);
        await bridge.close();
        previousGone = await waitForEmpty(port);
      }
    },
    async newPage() {
      const context = await browser.newContext({ locale: 'zh-TW' });
      contexts.push(context);
      const page = await context.newPage();
      // 刪除 asks 確定刪除？ with confirm(): the tests answer 確定.
      page.on('dialog', (dialog) => void dialog.accept());
      return page;
    },
    async closePages() {
      for (const context of contexts.splice(0)) await context.close();
    },
    async shot(page, name) {
      await page.screenshot({ path: artifactPath(`${options.prefix}-${name}.png`), fullPage: true });
    },
    reviewerLogin,
    async reviewerPage(path) {
      if (reviewer === undefined) {
        const context = await browser.newContext({ locale: 'zh-TW' });
        const page = await context.newPage();
        page.on('dialog', (dialog) => void dialog.accept());
        await reviewerLogin(page, path);
        reviewer = page;
        return page;
      }
      await reviewer.goto(`${portal.url}${path}`);
      return reviewer;
    },
    async close() {
      // Independent chains, side by side: the browser (with its pages); the portal, then its store; the sink; the
      // agent, then its slots, then the cards (each reader seen empty, for the next file's insertion).
      try {
        await Promise.all([
          browser.close(),
          portal.close().then(() => store.close()),
          sink.close(),
          (async () => {
            await agent.close();
            await slots.close();
            inProcess?.remove();
            await Promise.all(
              [...bridges].map(async ([port, bridge]) => {
                await bridge.close();
                await waitForEmpty(port);
              }),
            );
            // The next reader file's turn need not wait for the browser and the portal to stop.
            releaseReaders();
          })(),
        ]);
      } finally {
        contexts.length = 0;
        releaseReaders();
      }
    },
  };
}

/**
 * The portal's store: a schema of its own (named after `prefix`) on the PostgreSQL server the test run provides
 * (test/setup/global-setup.ts; required under CI=true), else the shared migrated PGlite snapshot. Loading PGlite's
 * WebAssembly and snapshot took 3 s of CPU and 8–15 s of wall time per file on a loaded machine, all of it while
 * the file held the virtual reader; a schema on the running server takes a fraction of that. The portal's
 * embedded PGlite default is tested in test/examples.
 */
async function openStore(prefix: string): Promise<EnrollStore> {
  const url = inject('databaseUrl');
  if (url === '') return openPglite();
  return openPgStore(url, `rig_${prefix.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`);
}

/** Waits until the text of `#id` matches (or, with `absent`, stops matching) `pattern`. */
export async function waitForText(page: Page, id: string, pattern: RegExp, absent = false): Promise<void> {
  const expr = `${absent ? '!' : ''}${pattern.toString()}.test((document.getElementById(${JSON.stringify(id)}) || {}).textContent || '')`;
  await page.waitForFunction(expr);
}
