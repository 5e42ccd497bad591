// `npx tsx bench/profile-summary.ts <file.cpuprofile[.gz]> [top] [skipSeconds]`: the top functions of a V8 CPU profile
// (node --cpu-prof) by self time and by total time (self + callees, each function counted once per stack), and self
// time per package or source area — the text kept beside the profiles in bench/profiles/. skipSeconds leaves out the
// start of the profile (the server's start-up: module loading, schema compilation) so that what remains is the bench.
import fs from 'node:fs';
import zlib from 'node:zlib';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
// skipSeconds "auto" (the default): from the first sample inside the upload route (modules/files/receive), i.e. after
// the start-up, which under load can take 15 s of route and schema compilation.
const skipArg = process.argv[4] ?? 'auto';
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile[.gz]> [top]');
const raw = fs.readFileSync(file);
const profile = JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString()) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (url: string) => {
  const u = url.replace(/^file:\/\//, '');
  return u.includes('/node_modules/')
    ? u.replace(/^.*\/node_modules\//, 'node_modules/')
    : u.replace(/^.*\/(dist|src)\//, '$1/');
};
const label = (n: Node) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url ? `${short(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
};
const area = (n: Node) => {
  const u = short(n.callFrame.url);
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native/V8)';
  if (u.startsWith('node:')) return `node:${u.slice(5).split('/')[0]}`;
  const m = u.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  const d = u.match(/^(dist|src)\/(.+?)\/[^/]+$/) ?? u.match(/^(dist|src)\/([^/]+)$/);
  return d ? `parley ${d[2]}` : u;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const areas = new Map<string, number>();
const inReceive = (id: number) => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur))
    if (/files\/receive\.(js|ts)$/.test(byId.get(cur)!.callFrame.url)) return true;
  return false;
};
let skipUs = Number(skipArg) * 1e6;
if (skipArg === 'auto') {
  let t = profile.startTime;
  skipUs = 0;
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0;
    if (inReceive(id)) {
      skipUs = t - profile.startTime;
      break;
    }
  }
}
let sum = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at - profile.startTime < skipUs) return;
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  sum += dt;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  areas.set(area(node), (areas.get(area(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});
const idle = self.get('(idle)') ?? 0;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${v.toFixed(0).padStart(8)} ms ${((v / (sum - idle)) * 100).toFixed(1).padStart(5)} %  ${k}`);
};
console.log(
  `${file}: from ${(skipUs / 1e6).toFixed(1)} s on, ${(sum / 1000).toFixed(1)} s sampled, ` +
    `idle ${(idle / 1000).toFixed(1)} s, busy ${((sum - idle) / 1000).toFixed(1)} s (percentages of busy)`,
);
print('Self time by area (package / source folder):', areas);
// Source areas are folders of the compiled server (dist/…) or of node_modules packages; "(native/V8)" is time in
// C++ bindings (fs writes, hashing, SQLite) that V8 cannot attribute to a JS function.
print('Self time by function:', self);
total.delete('(root)');
print('Total time (self + callees) by function:', total);
