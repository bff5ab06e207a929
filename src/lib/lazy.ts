/**
 * An object whose properties are made by their factories on first read, then kept: a request
 * builds only the repositories and services it uses.
 */
export function lazily<T extends object>(factories: { [K in keyof T]: () => T[K] }): T {
  const made: Partial<T> = {};
  const target = {} as T;
  for (const key of Object.keys(factories) as (keyof T)[]) {
    Object.defineProperty(target, key, {
      enumerable: true,
      get: () => {
        if (!(key in made)) made[key] = factories[key]();
        return made[key];
      },
    });
  }
  return target;
}
