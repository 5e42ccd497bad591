// Metrics under `parley start --workers N` (src/cluster.ts): a scrape reaches whichever worker takes the connection,
// yet must answer for the whole node — otherwise each scrape shows another worker's counters and Prometheus reads
// every switch as a reset. The worker that takes the scrape asks the primary, which reads every worker's registry
// (prom-client's AggregatorRegistry, over the cluster's IPC channel) and answers with them added up; gauges read
// from the shared database say how to combine (metrics/index.ts: `aggregator`).
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'parley:metrics?';
const ANSWER = 'parley:metrics!';
/** The primary's own read of the workers gives up after 5 s (prom-client); this is the backstop. */
const ASK_TIMEOUT_MS = 10_000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/**
 * In a worker: lets the primary read `registry`, and returns how to answer a scrape (ask the primary for the node's
 * sum). Undefined outside a cluster worker: the process answers from its own registry.
 */
export function workerMetricsText(registry: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  new AggregatorRegistry(); // installs the worker's answer to the primary's reads
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on('message', (msg: Answer) => {
    if (msg?.type !== ANSWER) return;
    const asked = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.text !== undefined) asked?.resolve(msg.text);
    else asked?.reject(new Error(msg.error ?? 'no metrics'));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer'));
      }, ASK_TIMEOUT_MS);
      timer.unref();
      const done =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          fn(value);
        };
      waiting.set(id, { resolve: done(resolve), reject: done(reject) });
      process.send!({ type: ASK, id });
    });
}

/** In the primary: answers the workers' scrapes with every worker's metrics added up. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== ASK) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: msg.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: Error) => reply({ error: err.message }),
    );
  });
}
