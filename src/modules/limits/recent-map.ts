// A Map bounded to the `max` most recently used keys (Map order is insertion order: a key used is moved last, and
// the first key goes when a new one would pass the bound). For per-process lookups on hot paths.
export interface RecentMap<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
}

export function recentMap<K, V>(max: number): RecentMap<K, V> {
  const entries = new Map<K, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
  };
}
