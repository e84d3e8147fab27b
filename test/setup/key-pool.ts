/**
 * Every test file takes its test PKIs' and card holders' keys from the run's pool first (made once by
 * test/setup/global-setup.ts), as a user's harness can with `useTestKeyPool`: keys stay distinct within the
 * file, and generating a few hundred RSA keys is no longer a large part of the suite's time. `reuse`: the files
 * that share one worker thread (vitest.config.ts) each draw from the whole pool again; in a process of its own a
 * file draws from it once anyway. Processes the tests start (the CLI, the demo, the example portal) are not given
 * the pool and generate their own keys, so that a PKI made there never shares a key with one made in the test.
 */
import { inject } from 'vitest';
import { useTestKeyPool } from '../../src/testing/pki/key-pool.js';

useTestKeyPool(inject('testKeyPool'), { reuse: true });
