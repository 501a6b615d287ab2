// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+). On Node 20 a missing polyfill makes every
// Task state throw, and a States.ALL catch would then silently take the rollback path: see docs/aws-facts.md.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
export {};
