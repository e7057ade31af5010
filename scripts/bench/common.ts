/**
 * Shared helpers of the benchmark scripts: argument parsing, timing, percentiles, output.
 * Everything here is measurement plumbing; nothing in it touches the ledger.
 */
import os from "node:os";

export interface Stats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles by nearest rank over a copy of the samples (milliseconds in, milliseconds out). */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] as number, mean: sum / sorted.length };
}

export const now = () => performance.now();

/** Runs `fn` repeatedly for about `ms` milliseconds (at least `minIterations` times); returns operations per second. */
export function rate(fn: () => void, ms: number, minIterations = 1, batch = 64): { perSecond: number; iterations: number; seconds: number } {
  const started = now();
  let iterations = 0;
  while (iterations < minIterations || now() - started < ms) {
    for (let i = 0; i < batch; i++) fn();
    iterations += batch;
  }
  const seconds = (now() - started) / 1000;
  return { perSecond: iterations / seconds, iterations, seconds };
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A line of the report on stderr-free stdout, indented under its section. */
export function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

export function section(title: string): void {
  say();
  say(`== ${title}`);
}

export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  return `${cpus.length} cores (${model}), ${fmt(os.totalmem() / 2 ** 30, 0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** `--name value` or `--name=value` from argv, or undefined. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) return argv[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

export function argFlag(argv: readonly string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

export function argNumber(argv: readonly string[], name: string, fallback: number): number {
  const raw = argValue(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} expects a non-negative number, got ${raw}`);
  return value;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
