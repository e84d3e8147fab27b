/**
 * Runs the official system's 申請公務帳號 page script (examples/portal/official/public/apply.js) in a vm with a
 * minimal page: elements by id, their listeners, and an `api` whose answers the test releases one by one, so
 * that event orders a browser can produce (a lookup answering after 送出資料) are replayed exactly. The page
 * helpers it calls from portal.js (`setMessage`, `errorText`, `show`) are given their portal.js behaviour.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** A stand-in for one element of the page. */
export interface FakeElement {
  value: string;
  textContent: string;
  className: string;
  hidden: boolean;
  innerHTML: string;
  checked: boolean;
  dataset: Record<string, string>;
  /** Runs the listeners of `type` in order, each to its end (what the browser's dispatch starts). */
  fire(type: string): Promise<void>;
}

/** A call of the page's `api` waiting for the test to answer it. */
export interface PendingCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The loaded page: its elements, the calls waiting for an answer, and a turn of the event loop. */
export interface ApplyPage {
  el(id: string): FakeElement;
  readonly pending: PendingCall[];
  tick(): Promise<void>;
}

const SCRIPT = new URL('../../../examples/portal/official/public/apply.js', import.meta.url);

export function loadApplyPage(): ApplyPage {
  const elements = new Map<string, FakeElement>();
  const el = (id: string): FakeElement => {
    let found = elements.get(id);
    if (found === undefined) {
      const listeners: Record<string, Array<(event: unknown) => unknown>> = {};
      const children: unknown[] = [];
      found = {
        value: '',
        textContent: '',
        className: '',
        hidden: false,
        innerHTML: '',
        checked: false,
        dataset: {},
        fire: async (type) => {
          for (const listener of listeners[type] ?? []) await listener({ preventDefault() {} });
        },
        ...{
          addEventListener: (type: string, listener: (event: unknown) => unknown) => (listeners[type] ??= []).push(listener),
          appendChild: (child: unknown) => children.push(child),
          focus: () => undefined,
        },
      };
      elements.set(id, found);
    }
    return found;
  };
  let anonymous = 0;
  const pending: PendingCall[] = [];
  const context = {
    document: { getElementById: el, createElement: () => el(`anonymous-${(anonymous += 1)}`) },
    $: el,
    show: (id: string, visible: boolean) => {
      el(id).hidden = !visible;
    },
    setMessage: (id: string, text: string, isError?: boolean) => {
      el(id).textContent = text || '';
      el(id).className = 'message' + (isError ? ' error' : '');
    },
    errorText: (err: Error & { code?: string }) => (err.message || '系統錯誤') + (err.code ? '（' + err.code + '）' : ''),
    confirm: () => true,
    api: (method: string, path: string, body: unknown) => new Promise((resolve, reject) => pending.push({ method, path, body, resolve, reject })),
  };
  vm.createContext(context);
  vm.runInContext(readFileSync(SCRIPT, 'utf8'), context);
  return { el, pending, tick: () => new Promise((resolve) => setImmediate(resolve)) };
}
