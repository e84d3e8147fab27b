import type { EnrollStore, Row, SqlSession } from '../../src/enroll/store/store.js';

/** Thrown by {@link FaultyStore} to simulate the process dying mid-transaction. */
export class SimulatedCrash extends Error {}

/**
 * Wraps a store and kills every transaction just before its (n+1)-th statement,
 * the way a process crash would: the database sees the transaction abort.
 */
export class FaultyStore implements EnrollStore {
  public statementsSeen = 0;

  public constructor(
    private readonly inner: EnrollStore,
    public failAfter: number,
  ) {}

  public transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => {
      let n = 0;
      const wrapped: SqlSession = {
        query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => {
          if (n >= this.failAfter) return Promise.reject(new SimulatedCrash(`crash before statement ${n + 1}`));
          n++;
          this.statementsSeen++;
          return tx.query<R>(text, params);
        },
        runScript: (s) => tx.runScript(s),
      };
      return fn(wrapped);
    });
  }

  public migrate(): Promise<void> {
    return this.inner.migrate();
  }

  public close(): Promise<void> {
    return Promise.resolve();
  }
}
