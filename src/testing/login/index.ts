/**
 * Login tokens for backend tests: what a page posts after the local
 * component's `/sign`, made with a test card holder's key in software.
 * @packageDocumentation
 */
export { signLoginToken, type LoginTokenSigner, type SignLoginTokenOptions } from './sign-login-token.js';
