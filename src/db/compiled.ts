// Hot statements compiled once. Kysely builds a query's operation tree and compiles it to SQL on every call: for a
// visitor's message (one INSERT … SELECT with joins and a subquery) that was ~20 % of the server's CPU per post, more
// than SQLite's own work (issue 18 profile, bench/profile-posts.ts). A repository names such a statement by a key that
// fixes its shape; the first call builds it with stand-ins for its arguments and keeps the SQL and where each argument
// goes, per dialect; every call then only binds the arguments. `build` must pass its arguments into the query as
// values and nothing else (no arithmetic, no string building, no choice of shape: that belongs in the key), which is
// checked when the template is made.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

const MARK = '\u0000parley-argument-';
/** Keys are fixed strings in the repositories; the bound only guards against a key built from data by mistake. */
const MAX_TEMPLATES = 500;

type Slot = number | { value: unknown };
interface Template {
  sql: string;
  slots: Slot[];
}

const templates = new WeakMap<object, Map<string, Template>>();

/** Rows of the statement `key`, built by `build` once per dialect and bound to `args` on every call. */
export async function runCompiled<R, A extends unknown[]>(
  db: Kysely<any>,
  key: string,
  args: A,
  build: (...args: A) => Compilable<R>,
): Promise<R[]> {
  const adapter = db.getExecutor().adapter;
  let byKey = templates.get(adapter);
  if (!byKey) templates.set(adapter, (byKey = new Map()));
  let template = byKey.get(key);
  if (!template) {
    template = templateOf(build(...(args.map((_, i) => `${MARK}${i}`) as A)), args.length);
    if (byKey.size < MAX_TEMPLATES) byKey.set(key, template);
  }
  const parameters = template.slots.map((slot) => (typeof slot === 'number' ? args[slot] : slot.value));
  return (await db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters))).rows;
}

const carries = (v: unknown): boolean =>
  typeof v === 'string' ? v.includes(MARK) : Array.isArray(v) && v.some(carries);

function templateOf(query: Compilable<unknown>, arity: number): Template {
  const { sql, parameters } = query.compile();
  const misused = () => new Error('runCompiled: an argument was used otherwise than as a value of the query');
  if (sql.includes(MARK)) throw misused();
  const used = new Set<number>();
  const slots = parameters.map((p): Slot => {
    if (typeof p === 'string' && p.startsWith(MARK)) {
      const i = Number(p.slice(MARK.length));
      if (!Number.isInteger(i) || i < 0 || i >= arity) throw misused();
      used.add(i);
      return i;
    }
    if (carries(p)) throw misused();
    return { value: p };
  });
  if (used.size !== arity) throw misused();
  return { sql, slots };
}
