// The PEM/base64 decoder lives in ../encoding/pem.ts (one for profiles and
// trust); this path stays for src/cli/commands/cert-verify.ts, which another
// helper owns.
export { base64Strict, fromPemOrDer, splitPemBundle } from '../encoding/pem.js';
