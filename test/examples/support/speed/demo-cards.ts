/**
 * Cheaper set-up for the portal tests (imported by them only).
 *
 * `demoCard` (examples/portal/demo-setup.ts) issues a card holder, two RSA-2048 key generations, for every card.
 * A file that makes the same card for each of its backends can issue the holder once and put it in a new card
 * each time: the card's own state (PIN tries, selected file) starts fresh, the certificates and keys are the same.
 */
import { VirtualHiCOSCard, virtualCardCredentials, type CardHolderCredentials, type TestPki } from 'twpki/testing';
import { demoCardHolder, type DemoCardOptions } from '../../../../examples/portal/demo-setup.js';

/**
 * `demoCard` with each holder issued once per `pki` and options: a new {@link VirtualHiCOSCard} per call, built as
 * `demoCard` builds it.
 */
export function demoCards(pki: TestPki): (options: DemoCardOptions) => Promise<VirtualHiCOSCard> {
  const holders = new Map<string, Promise<CardHolderCredentials>>();
  return async (options) => {
    const key = JSON.stringify([options.authority, options.commonName, options.idHint, options.organizationOid, options.notBefore, options.cardNumber]);
    let holder = holders.get(key);
    if (holder === undefined) {
      holder = demoCardHolder(pki, options);
      holders.set(key, holder);
    }
    return new VirtualHiCOSCard({ pin: options.pin, cardNumber: options.cardNumber, credentials: virtualCardCredentials(await holder) });
  };
}
