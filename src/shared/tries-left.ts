/**
 * "1 try left", "2 tries left": the English count of PIN tries every layer
 * prints (`?` when the card did not say).
 */
export function triesLeft(count: number | undefined): string {
  if (count === undefined) return '? tries left';
  return count === 1 ? '1 try left' : `${count} tries left`;
}
