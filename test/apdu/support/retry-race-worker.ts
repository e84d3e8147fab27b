// One of two processes sharing a FileRetryCounterStore file: saves its own card's count, then looks it up, many
// times, and prints how often it read back something other than what it had just saved.
import { FileRetryCounterStore } from '../../../src/apdu/index.js';

const [path, card, rounds] = [process.argv[2] as string, process.argv[3] as string, Number(process.argv[4])];
const errors: string[] = [];
const store = new FileRetryCounterStore(path, { onError: (e) => errors.push(e.message) });
let wrong = 0;
for (let i = 0; i < rounds; i++) {
  const count = 1 + (i % 2); // 63C1, then (after a right PIN and a wrong one) 63C2, …
  store.set(card, count);
  if (store.get(card) !== count) wrong++;
}
process.stdout.write(JSON.stringify({ card, wrong, errors: errors.length }));
