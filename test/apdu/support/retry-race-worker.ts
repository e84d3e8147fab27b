// One of two processes sharing a FileRetryCounterStore file: saves its own card's count, then looks it up, many
// times. Prints how often it read back a count higher than the one it had just saved (a last-try guard a try
// behind the card), or after a successful save anything else than that count; the last count it saved; and the
// saves it could not make (a failure is reported synchronously, inside `set`).
import { FileRetryCounterStore } from '../../../src/apdu/index.js';

const [path, card, rounds] = [process.argv[2] as string, process.argv[3] as string, Number(process.argv[4])];
const errors: string[] = [];
const store = new FileRetryCounterStore(path, { onError: (e) => errors.push(e.message) });
let higher = 0;
let otherAfterSave = 0;
let lastSaved: number | undefined;
for (let i = 0; i < rounds; i++) {
  const count = 1 + (i % 2); // 63C1, then (after a right PIN and a wrong one) 63C2, …
  const failedBefore = errors.length;
  store.set(card, count);
  const saved = errors.length === failedBefore;
  if (saved) lastSaved = count;
  const read = store.get(card);
  if (read === undefined || read > count) higher++;
  else if (saved && read !== count) otherAfterSave++;
}
process.stdout.write(JSON.stringify({ card, higher, otherAfterSave, lastSaved, errors }));
