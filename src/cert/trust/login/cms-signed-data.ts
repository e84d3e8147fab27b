// The CMS parser moved to ../verification/ (shared with the signed-document
// verifier); this path stays for bench/cert-login.ts, which another helper owns.
export * from '../verification/cms-signed-data.js';
