// npx tsx scripts/bench/cpuprofile-summary.ts FILE.cpuprofile [--top 30]
//
// Summarises a V8 CPU profile (node --cpu-prof) by self time per function and per file, and
// by inclusive ("total") time per function, so a bench can say where a process spends its
// time without opening DevTools. Idle and garbage-collection samples are shown as such.
import { readFileSync } from "node:fs";
import { argNumber } from "./common";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
const file = argv.find((arg) => !arg.startsWith("--"));
if (file === undefined) throw new Error("usage: cpuprofile-summary.ts FILE.cpuprofile [--top N]");
const top = argNumber(argv, "top", 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = (profile.endTime - profile.startTime) || 1;

function shortFile(url: string): string {
  if (url === "") return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) return path.slice(nm + "node_modules/".length).split("/").slice(0, 2).join("/").replace(/\/[^@/]*$/, (m) => (path.slice(nm + 13).startsWith("@") ? m : ""));
  const root = path.indexOf("/s17-witness/");
  return root >= 0 ? path.slice(root + "/s17-witness/".length) : path.replace(/^.*\/(?=[^/]+\/[^/]+$)/, "");
}
const label = (node: ProfileNode) => `${node.callFrame.functionName || "(anonymous)"} ${shortFile(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
  selfByFile.set(shortFile(node.callFrame.url), (selfByFile.get(shortFile(node.callFrame.url)) ?? 0) + us);
  // Inclusive time: every distinct function on the sample's stack gets the sample once.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}

function print(title: string, table: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(9)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`);
  }
}

console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${profile.samples.length} samples`);
print("self time by file", selfByFile);
print("self time by function", selfByFunction);
print("inclusive time by function", inclusive);
