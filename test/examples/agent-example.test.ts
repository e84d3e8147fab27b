import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { quietPort } from '../support/quiet-port.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const built = existsSync(`${ROOT}dist/agent/index.js`);

// Run as a user would: a separate process whose `twpki/*` imports resolve
// through the package's own exports to the built dist/ (npm ci builds it).
describe.runIf(built || process.env.CI === 'true')('examples/agent as a process', () => {
  it('serves the virtual card to a trusted page and refuses others', async () => {
    // Free, and below the ephemeral range: no other test's connection takes it before the child binds it.
    const port = await quietPort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/agent/agent.ts', 'https://trusted.example.gov.tw', '--virtual'], {
      cwd: ROOT,
      env: { ...process.env, AGENT_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 30_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('agent on')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain(`http://localhost:${port}`);
      const info = (await (await fetch(`http://127.0.0.1:${port}/pkcs11info`, { headers: { Origin: 'https://trusted.example.gov.tw' } })).json()) as {
        slots: Array<{ token: { serialNumber: string } | null }>;
      };
      expect(info.slots[0]?.token?.serialNumber).toBe('TP03000012345678');
      const refused = (await (await fetch(`http://127.0.0.1:${port}/pkcs11info`, { headers: { Origin: 'https://evil.example.com' } })).json()) as { ret_code: number };
      expect(refused.ret_code).toBe(0x76000031);
    } finally {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
  }, 60_000);
});
