import { defineConfig } from 'tsup';

export default defineConfig([{
  entry: {
    index: 'src/index.ts',
    'pcsc/index': 'src/pcsc/index.ts',
    'apdu/index': 'src/apdu/index.ts',
    'cert/index': 'src/cert/index.ts',
    'ems/index': 'src/ems/index.ts',
    'enroll/index': 'src/enroll/index.ts',
    'testing/index': 'src/testing/index.ts',
    'agent/index': 'src/agent/index.ts',
    'cli/main': 'src/cli/main.ts',
    'enroll/smtp': 'src/enroll/smtp.ts',
    'enroll/pg': 'src/enroll/pg.ts',
    'enroll/pglite': 'src/enroll/pglite.ts',
    'apdu/advanced': 'src/apdu/advanced.ts',
    'messages/index': 'src/messages/index.ts',
    'fastify/index': 'src/integrations/fastify.ts',
    'express/index': 'src/integrations/express.ts',
    'challenge-store/index': 'src/challenge-store/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
},
// The page module: built for browsers, self-contained (no shared chunks with the Node entries). Its own
// output folder: tsup builds the configs in parallel, and the first one's clean (also of .d.ts files,
// at each declaration pass) would delete files this one wrote under dist/.
{
  entry: { index: 'src/browser/index.ts' },
  outDir: 'dist-browser',
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'browser',
  target: 'es2020',
  splitting: false,
}]);
