// Counting a V8 heap snapshot's objects by constructor, and the difference between two snapshots: the memory-creep
// proof of `npm run bench` (issue 18 item 2). A snapshot holds only reachable objects (V8 collects garbage first).
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Live objects per constructor name ("object" nodes only: instances of JS classes and plain objects). */
export function countByConstructor(file: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const objectType = snap.snapshot.meta.node_types[0].indexOf('object');
  const counts = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    if (snap.nodes[i + typeAt] !== objectType) continue;
    const name = snap.strings[snap.nodes[i + nameAt]!]!;
    const c = counts.get(name) ?? { count: 0, bytes: 0 };
    c.count += 1;
    c.bytes += snap.nodes[i + sizeAt]!;
    counts.set(name, c);
  }
  return counts;
}

export interface Growth {
  name: string;
  before: number;
  after: number;
  grew: number;
  bytes: number;
}

/** Constructors whose live count grew from `before` to `after`, largest growth first. */
export function heapGrowth(before: string, after: string): Growth[] {
  const a = countByConstructor(before);
  const b = countByConstructor(after);
  const out: Growth[] = [];
  for (const [name, { count, bytes }] of b) {
    const was = a.get(name) ?? { count: 0, bytes: 0 };
    if (count > was.count)
      out.push({ name, before: was.count, after: count, grew: count - was.count, bytes: bytes - was.bytes });
  }
  return out.sort((x, y) => y.grew - x.grew);
}

/** Classes made once per upload request: any of them growing by a round's worth of uploads is a leak. */
export const PER_UPLOAD_CLASSES = [
  'IncomingMessage',
  'ServerResponse',
  'Socket',
  'Busboy',
  'Multipart',
  'FileStream',
  'FileInspector',
  'ScanTee',
  'HashTap',
  'WriteStream',
  'Hash',
  'Request',
  'Reply',
  'AbortController',
  'Timeout',
];
