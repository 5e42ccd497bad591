// Named (prepared) statements on PostgreSQL for the statements this process runs most: once a statement's text has
// run HOT_AFTER times it is sent with a name, so each connection parses and plans it once and then only binds and
// executes it (fewer bytes per round trip, less work for the server on the same machine). Bounded: at most
// MAX_NAMED texts get a name (a statement with a variable-length IN list has a text per length), and only the first
// MAX_TRACKED texts are counted. A named statement whose cached plan no longer fits the schema (a migration by a newer
// node during a rolling upgrade: SQLSTATE 0A000, raised before it runs) is sent unnamed from then on, and once again
// at once when outside a transaction. PARLEY_PG_PREPARED_STATEMENTS=false turns this off, for a pooler in transaction
// mode that cannot keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
import crypto from 'node:crypto';

const HOT_AFTER = 20;
const MAX_NAMED = 200;
const MAX_TRACKED = 5000;

interface QueryClient {
  query: (...args: unknown[]) => unknown;
}

export interface PreparedStatements {
  /** Wraps a pool client's query so that hot statements go out named. */
  adopt(client: QueryClient): void;
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|set|show|listen|notify)\b/i;

export function preparedStatements(): PreparedStatements {
  const counts = new Map<string, number>();
  const names = new Map<string, string>();
  const retired = new Set<string>();

  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name || retired.has(text) || CONTROL.test(text)) return name;
    const seen = counts.get(text);
    if (seen === undefined) {
      if (counts.size < MAX_TRACKED) counts.set(text, 1);
      return undefined;
    }
    if (seen + 1 < HOT_AFTER || names.size >= MAX_NAMED) {
      counts.set(text, seen + 1);
      return undefined;
    }
    counts.delete(text);
    const hot = `parley_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, hot);
    return hot;
  };

  return {
    adopt(client) {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      let inTransaction = false;
      client.query = (...args: unknown[]) => {
        const [text, values] = args;
        // Only the promise form with a text and its values (Kysely's); anything else goes as it came.
        if (typeof text !== 'string' || args.length > 2 || (values !== undefined && !Array.isArray(values)))
          return query(...args);
        if (/^\s*begin\b/i.test(text)) inTransaction = true;
        else if (/^\s*(commit|rollback)\b/i.test(text)) inTransaction = false;
        const name = nameOf(text);
        if (!name) return query(text, values);
        const wasInTransaction = inTransaction;
        return (query({ name, text, values }) as Promise<unknown>).catch((err: Error & { code?: string }) => {
          if (err?.code !== '0A000' || !/cached plan must not change result type/.test(String(err))) throw err;
          names.delete(text);
          retired.add(text);
          // Outside a transaction the statement did not run and nothing else is undone: send it again, unnamed.
          if (wasInTransaction) throw err;
          return query(text, values);
        });
      };
    },
  };
}
