/**
 * Listeners kept beside objects rather than on them: an internal notice (the reader watch recovered, a card slot
 * changed) that other layers of twpki subscribe to, without a method or event on the object's public surface.
 * Each owner's listeners go with it (a WeakMap).
 */
export interface SideListeners<Owner extends object, Args extends unknown[]> {
  /** Adds `listener` for `owner`; returns the function that removes it. */
  on(owner: Owner, listener: (...args: Args) => void): () => void;
  /** Calls `owner`'s listeners, in the order added (a listener removed meanwhile still runs this once). */
  emit(owner: Owner, ...args: Args): void;
  /** Removes every listener of `owner`. */
  clear(owner: Owner): void;
}

/** A new, empty set of side listeners. */
export function sideListeners<Owner extends object, Args extends unknown[]>(): SideListeners<Owner, Args> {
  const byOwner = new WeakMap<Owner, Set<(...args: Args) => void>>();
  return {
    on(owner, listener) {
      let listeners = byOwner.get(owner);
      if (!listeners) byOwner.set(owner, (listeners = new Set()));
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(owner, ...args) {
      for (const listener of [...(byOwner.get(owner) ?? [])]) listener(...args);
    },
    clear(owner) {
      byOwner.delete(owner);
    },
  };
}
