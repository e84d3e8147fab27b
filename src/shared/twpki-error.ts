/**
 * Base class of every error twpki throws.
 *
 * Each layer narrows `code` to its own string-literal union, so callers can
 * `switch (err.code)` exhaustively and logs name the failed step without
 * parsing messages. Messages never contain PINs or key material.
 */
export class TwpkiError<C extends string = string> extends Error {
  /** Stable, machine-readable error code. */
  public readonly code: C;

  public constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
