/**
 * `--pin-stdin` when stdin is a real terminal (a pseudo-terminal from Python's pty module): the PIN typed must
 * not be echoed. Before, the first line was read in the terminal's cooked mode, which echoes it.
 * The child prints READY, then calls readPin(io, true); the terminal types the PIN once it shows `PIN: ` (raw
 * mode is on before the prompt is written), or 10 s after READY when no prompt comes (the old behaviour).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

const CHILD = [
  "import { readPin } from './src/cli/pin-prompt.ts';",
  "process.stdout.write('READY\\n');",
  'const pin = await readPin({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }, true);',
  "process.stdout.write(`GOT ${pin.length} ${pin.equals(Buffer.from('S3cr3tPN')) ? 'same' : 'different'}\\n`);",
  'pin.fill(0);',
  'process.exit(0);',
].join('\n');

const TERMINAL = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
def pump(until, stop):
    global out
    while time.time() < until and not stop():
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return True
pump(time.time() + 90, lambda: b'READY' in out)
if b'READY' not in out:
    sys.stdout.write('NO-READY ' + repr(out)); sys.exit(3)
pump(time.time() + 10, lambda: b'PIN: ' in out.split(b'READY', 1)[1])
mark = len(out)
os.write(fd, b'S3cr3tPN\\r')
pump(time.time() + 30, lambda: b'GOT ' in out[mark:] and out.endswith(b'\\n'))
os.waitpid(pid, 0)
sys.stdout.write(out[out.index(b'READY'):].decode('utf-8', 'replace'))
`;

it.runIf(hasPython)('--pin-stdin at a terminal prompts without echo: the PIN typed never shows', async () => {
  const child = spawn('python3', ['-c', TERMINAL, process.execPath, '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, out + err).toBe(0);
  expect(out).toContain('PIN: ');
  expect(out).toContain('GOT 8 same');
  expect(out).not.toContain('S3cr3tPN');
}, 150_000);
