import { EnrollError } from '../errors.js';
import type { Row, SqlSession } from './store.js';

/** A transaction's session and the switch that retires it when the transaction ends. */
export interface TransactionSession {
  readonly session: SqlSession;
  /** Called once the transaction committed or rolled back: later calls on `session` are refused. */
  end(): void;
}

/**
 * Wraps a driver's transaction handle so it cannot be used once its
 * transaction ended. A session kept past its callback (a command not awaited,
 * a `joinTransaction(tx)` store used by a later request) would otherwise run
 * its SQL on PostgreSQL through a pooled client that may by then carry another
 * caller's transaction, or outside any, and on PGlite fail with the driver's
 * own error.
 */
export function transactionSession(
  query: <R extends Row>(text: string, params: unknown[] | undefined) => Promise<R[]>,
  runScript: (script: string) => Promise<void>,
): TransactionSession {
  let ended = false;
  const open = (): void => {
    if (ended) throw transactionEnded();
  };
  return {
    session: {
      query: async <R extends Row = Row>(text: string, params?: readonly unknown[]) => {
        open();
        return query<R>(text, params === undefined ? undefined : [...params]);
      },
      runScript: async (script: string) => {
        open();
        await runScript(script);
      },
    },
    end: () => {
      ended = true;
    },
  };
}

function transactionEnded(): EnrollError {
  return new EnrollError(
    'TRANSACTION_ENDED',
    'the store transaction this session (or a joinTransaction(tx) store) belongs to has ended; run the command inside store.transaction and await it there',
  );
}
