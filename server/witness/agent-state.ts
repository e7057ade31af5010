/**
 * What a lender's settlement agent (lender-agent.ts) keeps across restarts, in its own data folder:
 * how much it disbursed on each Beijing business day, so a restart (a crash, a deploy) does not
 * reset its daily cap. The file is the agent's own, beside its key and trust policy; nothing the
 * platform serves can change it.
 *
 *   DIR/agent-state.json  {"version":1,"disbursedByDay":{"2026-12-04":"250000"},"disbursed":["fin_…"]}
 *
 * `disbursed` names the financings whose disbursement the platform accepted, so a disbursement is
 * counted once even if the agent replays its log again after a restart. Each record is written
 * to a temporary file, flushed and renamed over the old one, so a crash leaves the old or the new
 * state, never half of one. A record is written after the platform accepted the disbursement: a
 * crash between the two loses that one amount (the ledger has it: financing.disburse signed by the
 * agent's key), which a cap errs on the lenient side for; see docs/witness.md §8.
 *
 * Days older than a week are dropped when a record is written: the cap looks at today only.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

export interface AgentState {
  disbursedByDay: Map<string, bigint>;
  /** Financings this agent disbursed (ids), so none is counted twice. */
  disbursed: Set<string>;
}

/** Where the agent keeps its state; the agent reads it once at start and records each disbursement. */
export interface AgentStateStore {
  load(): AgentState;
  record(state: AgentState): void;
}

/** In memory: the state lives as long as the process (tests of the decision logic, or no --data). */
export function memoryAgentState(): AgentStateStore {
  let saved: AgentState = { disbursedByDay: new Map(), disbursed: new Set() };
  return {
    load: () => ({ disbursedByDay: new Map(saved.disbursedByDay), disbursed: new Set(saved.disbursed) }),
    record: (state) => (saved = { disbursedByDay: new Map(state.disbursedByDay), disbursed: new Set(state.disbursed) }),
  };
}

const FILE = "agent-state.json";
const KEEP_DAYS = 7;

export class AgentStateFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "AgentStateFileError";
  }
}

/** DIR/agent-state.json; a missing file is an empty state, an unreadable one an AgentStateFileError (the agent then does not start). */
export function fileAgentState(dir: string): AgentStateStore {
  const file = path.join(dir, FILE);
  return {
    load() {
      if (!existsSync(file)) return { disbursedByDay: new Map(), disbursed: new Set() };
      return parseAgentState(file, readFileSync(file, "utf8"));
    },
    record(state) {
      mkdirSync(dir, { recursive: true });
      const days = [...state.disbursedByDay.keys()].sort().slice(-KEEP_DAYS);
      const text = JSON.stringify({
        version: 1,
        disbursedByDay: Object.fromEntries(days.map((day) => [day, (state.disbursedByDay.get(day) as bigint).toString()])),
        disbursed: [...state.disbursed].sort(),
      });
      const temporary = `${file}.${process.pid}.tmp`;
      const fd = openSync(temporary, "w", 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
    },
  };
}

export function parseAgentState(file: string, text: string): AgentState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AgentStateFileError(file, "is not JSON");
  }
  const value = json as { version?: unknown; disbursedByDay?: unknown; disbursed?: unknown };
  if (value?.version !== 1) throw new AgentStateFileError(file, "is not version 1 of the agent's state");
  if (typeof value.disbursedByDay !== "object" || value.disbursedByDay === null || !Array.isArray(value.disbursed)) {
    throw new AgentStateFileError(file, "lacks disbursedByDay or disbursed");
  }
  const disbursedByDay = new Map<string, bigint>();
  for (const [day, amount] of Object.entries(value.disbursedByDay)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || typeof amount !== "string" || !/^(0|[1-9][0-9]{0,30})$/.test(amount)) {
      throw new AgentStateFileError(file, `day ${day} has no amount in minor units`);
    }
    disbursedByDay.set(day, BigInt(amount));
  }
  if (!value.disbursed.every((id): id is string => typeof id === "string")) throw new AgentStateFileError(file, "disbursed is not a list of financing ids");
  return { disbursedByDay, disbursed: new Set(value.disbursed) };
}
