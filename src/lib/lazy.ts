/**
 * Makes objects whose properties are built from `deps` by their factories on first read, then
 * kept: a request builds only the repositories and services it uses.
 *
 * The getters are defined once, here, on one prototype, so every object made has the same hidden
 * class. Objects that each defined their own accessors (fresh closures per request) each got a
 * hidden class of their own, which V8 keeps alive past the request and copies on every scavenge
 * (docs/performance.md has the measurements). test/unit/lazy.test.ts checks that two objects
 * share one hidden class.
 */
export function lazyObjects<D, T extends object>(
  factories: {
    readonly [K in keyof T]: (deps: D) => T[K];
  },
): (deps: D) => T {
  const keys = Object.keys(factories) as (keyof T & string)[];

  class Lazy {
    readonly #deps: D;
    /** One slot per property, filled on first read. */
    readonly #made: unknown[];
    constructor(deps: D) {
      this.#deps = deps;
      this.#made = new Array(keys.length).fill(Lazy.#unmade);
    }
    static readonly #unmade = Symbol('unmade');
    static read(self: Lazy, index: number, key: keyof T & string): unknown {
      if (self.#made[index] === Lazy.#unmade) self.#made[index] = factories[key](self.#deps);
      return self.#made[index];
    }
  }
  keys.forEach((key, index) => {
    Object.defineProperty(Lazy.prototype, key, {
      enumerable: true,
      get(this: Lazy) {
        return Lazy.read(this, index, key);
      },
    });
  });
  return (deps) => new Lazy(deps) as unknown as T;
}
