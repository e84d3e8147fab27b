import { readFileSync } from 'node:fs';

/** Reads a real CA certificate from the repository's fixtures (PEM text). */
export function realCa(name: string): string {
  return readFileSync(new URL(`../../../../fixtures/ca/${name}.pem`, import.meta.url), 'utf8');
}
