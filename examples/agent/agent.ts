/**
 * A HiPKI-compatible local agent: existing government pages that talk to
 * MOICA's local component (http://localhost:61161) work with it.
 *
 *   npx tsx examples/agent/agent.ts https://your-site.gov.tw [--virtual]
 *
 * (after `npm run build`; AGENT_PORT overrides the official port 61161).
 *
 * Uses only twpki's public API. With --virtual (or when pcscd is not running)
 * it serves a built-in virtual MOICA card whose PIN is 123456.
 */
import { EmulatorCardSlots, PcscCardSlots, startAgent, type CardSlots } from 'twpki/agent';
import { EmulatorReader } from 'twpki/pcsc';
import { createVirtualHiCOSCard } from 'twpki/testing';

async function cardSlots(virtual: boolean): Promise<CardSlots> {
  if (!virtual) {
    try {
      return await PcscCardSlots.open();
    } catch (error) {
      console.warn(`PC/SC unavailable (${(error as Error).message}); using the virtual card`);
    }
  }
  const reader = new EmulatorReader({ name: 'twpki virtual reader' });
  reader.insert(await createVirtualHiCOSCard());
  return new EmulatorCardSlots(reader);
}

const args = process.argv.slice(2);
const trusted = args.filter((a) => !a.startsWith('--'));
const slots = await cardSlots(args.includes('--virtual'));
const port = process.env.AGENT_PORT === undefined ? undefined : Number(process.env.AGENT_PORT);
const agent = await startAgent({ slots, trusted, port });
console.log(`agent on ${agent.url}; trusted: ${agent.trusted.list().join(', ') || '(none: every page gets 0x76000031)'}`);
process.once('SIGINT', () => {
  void agent.close().then(() => slots.close());
});
