import type { RunnerTask as Task } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    figures?: Record<string, number>;
  }
}

/** Adds to the figures the reliability reporter prints at the end of the run. */
export function addFigures(task: Task, figures: Record<string, number>): void {
  const current = (task.meta.figures ??= {});
  for (const [key, value] of Object.entries(figures)) current[key] = (current[key] ?? 0) + value;
}
