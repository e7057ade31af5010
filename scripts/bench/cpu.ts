/**
 * Where the CPU went during a measurement: this process (process.cpuUsage), the whole
 * machine (/proc/stat, Linux only) and therefore everything else (PostgreSQL, next start),
 * plus an optional V8 CPU profile of this process summarised by file. Enough to say whether
 * a figure is bound by this Node thread, by the database, or by neither (waiting: round
 * trips, locks, fsync).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Session } from "node:inspector/promises";

interface MachineTicks {
  busy: number;
  total: number;
}

function machineTicks(): MachineTicks | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface CpuReport {
  seconds: number;
  /** Cores' worth of CPU used by this process (1.0 = one core fully busy). */
  thisProcess: number;
  /** Cores' worth used by everything else on the machine (PostgreSQL, next start, ...). */
  others: number | null;
  cores: number;
}

export class CpuMeter {
  private readonly started = performance.now();
  private readonly usage = process.cpuUsage();
  private readonly ticks = machineTicks();

  stop(): CpuReport {
    const seconds = (performance.now() - this.started) / 1000;
    const used = process.cpuUsage(this.usage);
    const thisProcess = (used.user + used.system) / 1e6 / seconds;
    const end = machineTicks();
    const cores = os.cpus().length;
    let others: number | null = null;
    if (this.ticks && end && end.total > this.ticks.total) {
      const machineBusy = ((end.busy - this.ticks.busy) / (end.total - this.ticks.total)) * cores;
      others = Math.max(0, machineBusy - thisProcess);
    }
    return { seconds, thisProcess, others, cores };
  }
}

export function describeCpu(report: CpuReport): string {
  const others = report.others === null ? "unknown" : `${report.others.toFixed(2)}`;
  return `CPU: this Node process ${report.thisProcess.toFixed(2)} cores, everything else (PostgreSQL, ...) ${others} cores, of ${report.cores}`;
}

/** CPU time of this process's V8 thread, by file, from an inspector profile. */
export class Profiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.setSamplingInterval", { interval: 500 });
    await this.session.post("Profiler.start");
  }

  /** Stops, optionally saves the .cpuprofile, and returns the top entries by self time. */
  async stop(saveAs: string | null, top = 12): Promise<string[]> {
    const { profile } = await this.session.post("Profiler.stop");
    this.session.disconnect();
    if (saveAs) {
      fs.mkdirSync(path.dirname(saveAs), { recursive: true });
      fs.writeFileSync(saveAs, JSON.stringify(profile));
    }
    return summarise(profile as unknown as CpuProfile, top);
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups self time by package (node_modules) or project file; idle and GC stay separate. */
function summarise(profile: CpuProfile, top: number): string[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byGroup = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    total += delta;
    byGroup.set(groupOf(frame), (byGroup.get(groupOf(frame)) ?? 0) + delta);
  });
  return [...byGroup.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([group, micros]) => `${((100 * micros) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${group}`);
}

function groupOf(frame: { functionName: string; url: string } | undefined): string {
  if (!frame) return "(unknown)";
  const url = frame.url;
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : `(native) ${frame.functionName}`;
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return `npm ${rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith("node:")) return url.startsWith("node:internal/crypto") ? "node:crypto" : url.replace(/\/[^/]*$/, "");
  const local = url.replace(/^file:\/\//, "");
  return path.relative(process.cwd(), local) || local;
}
