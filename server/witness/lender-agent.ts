/**
 * The lender's own settlement agent (issue 13, deliverable 6; docs/witness.md §8).
 *
 * Under a financing policy the contract approves an application as it commits (the financing
 * is `accepted`, priced by the policy). The money moves only when the lender confirms the
 * disbursement, and the platform key may not (contracts/ledger/financing.ts). This agent is
 * the lender's: it runs on the lender's side, beside its witness, holds a key the lender
 * registered for it, and follows the log itself. For each checkpoint it:
 *
 *  1. verifies the checkpoint note under the lender's pinned trust policy (operator key and a
 *     quorum of witness cosignatures), and waits while the quorum is not there;
 *  2. replays the new entries through the contracts (LogFollower) and requires its own log
 *     root and state root to be the note's: otherwise it halts for good (a fork or a forged
 *     state), and disburses nothing more;
 *  3. for every accepted financing under one of its lender's policies, decides on its own
 *     replayed state at that checkpoint: the policy is still active, the claim is held by the
 *     applicant, not pledged elsewhere, never financed, in no other financing, not matured
 *     (contracts/trust-policy.ts checkEligibility), and the lender's local limits hold
 *     (per-financing ceiling, daily cap, pause switch);
 *  4. signs `financing.disburse` naming that checkpoint's hash and submits it.
 *
 * Nothing the app says is trusted: entries are replayed, the checkpoint is checked against
 * pinned keys, and the contract checks the disbursement again when it commits. A decision
 * is taken once per financing: a refused one is logged with its reason and left alone.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import { bytesToHex } from "@/contracts/hex";
import type { LogEntry } from "@/contracts/log";
import { LogFollower } from "@/contracts/log-follower";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { MemoryState } from "@/contracts/ledger/state";
import type { Financing } from "@/contracts/ledger/types";
import type { SignatureVerifier } from "@/contracts/signing";
import { claimStateLeaf } from "@/contracts/state-leaves";
import { checkpointTextHash, verifyCheckpointNote, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import { checkEligibility } from "@/contracts/trust-policy";
import { termsSalt } from "@/contracts/terms-commitments";
import { memoryAgentState, type AgentState, type AgentStateStore } from "./agent-state";

/** The lender's own limits, on top of its policies on the ledger (the agent's policy file). */
export interface AgentLimits {
  /** No single disbursement above this (minor units); null: the ledger policy's ceiling only. */
  maxAmountMinor: bigint | null;
  /** At most this much disbursed per Beijing day by this agent; null: no cap. */
  dailyCapMinor: bigint | null;
  /** The kill switch: decide nothing while set. */
  paused: boolean;
}

export interface AgentLogSource {
  /** The latest checkpoint note with its cosignature lines (GET <log url>/checkpoint). */
  checkpointNote(): Promise<string>;
  entries(start: number, end: number): Promise<LogEntry[]>;
}

export interface LenderAgentOptions {
  lenderOrgId: string;
  key: SigningIdentity;
  /** Pinned out of band: the operator's key, the witnesses' keys, the quorum. */
  policy: TrustPolicy;
  /** The operator key the genesis entry must register (as verify-log requires). */
  operatorPublicKeyHex: string;
  source: AgentLogSource;
  submit: (signed: WireSignedTransaction) => Promise<{ ok: boolean; detail: string }>;
  limits: AgentLimits;
  verifier: SignatureVerifier;
  clock?: () => number;
  log?: (line: string) => void;
  /**
   * A folder of the agent's own: its replay (a follower snapshot, written after a cosigned
   * checkpoint once SNAPSHOT_EVERY_ENTRIES more entries were replayed) and its decisions
   * (written after every decision, so a restart does not decide twice; the amounts disbursed
   * each day are kept by `state`). A restart goes on from there instead of replaying from genesis.
   */
  stateDir?: string;
  snapshotEveryEntries?: number;
  /** Where the daily amounts disbursed are kept across restarts (agent-state.ts); in memory without one. */
  state?: AgentStateStore;
}

/** Entries fetched and replayed per request while catching up: the agent never holds more. */
const CATCH_UP_PAGE = 1000;
const SNAPSHOT_EVERY_ENTRIES = 10_000;
const SNAPSHOT_FILE = "replay.snapshot";
const DECISIONS_FILE = "decisions.json";

export type AgentDecisionCode = "policy_not_active" | "over_local_limit" | "daily_cap_reached" | "agent_paused" | string;

export type AgentDecision =
  | { financingId: string; outcome: "disbursed"; checkpointHash: string; txId: string }
  | { financingId: string; outcome: "left_alone"; code: AgentDecisionCode; detail: string }
  | { financingId: string; outcome: "submit_failed"; detail: string };

export type TickResult =
  | { status: "waiting"; detail: string }
  | { status: "halted"; detail: string }
  | { status: "decided"; size: number; decisions: AgentDecision[] };

export class LenderAgent {
  readonly #follower: LogFollower;
  /** Financings decided once, whatever the outcome. */
  readonly #decided = new Set<string>();
  #halted: string | null = null;
  /** Daily amounts disbursed (Beijing days) and the financings they count, as kept by #store. */
  readonly #spent: AgentState;
  readonly #store: AgentStateStore;
  readonly #clock: () => number;
  readonly #log: (line: string) => void;
  /** The size of the replay last written to the state folder. */
  #snapshotSize = 0;

  constructor(private readonly options: LenderAgentOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? (() => {});
    this.#store = options.state ?? memoryAgentState();
    this.#spent = this.#store.load();
    this.#follower = this.#resume() ?? new LogFollower(options.verifier, options.operatorPublicKeyHex);
  }

  /** The replay and decisions kept in the state folder, if any. */
  #resume(): LogFollower | null {
    const dir = this.options.stateDir;
    if (dir === undefined) return null;
    mkdirSync(dir, { recursive: true });
    const decisionsFile = path.join(dir, DECISIONS_FILE);
    if (existsSync(decisionsFile)) {
      const saved = JSON.parse(readFileSync(decisionsFile, "utf8")) as { decided: string[] };
      for (const id of saved.decided) this.#decided.add(id);
    }
    const snapshotFile = path.join(dir, SNAPSHOT_FILE);
    if (!existsSync(snapshotFile)) return null;
    const follower = LogFollower.restore(this.options.verifier, this.options.operatorPublicKeyHex, readFileSync(snapshotFile, "utf8").split("\n"));
    this.#snapshotSize = follower.size;
    this.#log(`resumed the replay at leaf ${follower.size} from ${snapshotFile}`);
    return follower;
  }

  /** Writes the replay beside the decisions: to a temporary file, then renamed over the last one. */
  #saveSnapshot(): void {
    const dir = this.options.stateDir;
    if (dir === undefined || this.#follower.size - this.#snapshotSize < (this.options.snapshotEveryEntries ?? SNAPSHOT_EVERY_ENTRIES)) return;
    const file = path.join(dir, SNAPSHOT_FILE);
    const fd = openSync(`${file}.tmp`, "w");
    try {
      let chunk: string[] = [];
      for (const line of this.#follower.snapshotLines()) {
        chunk.push(line);
        if (chunk.length < 1000) continue;
        writeSync(fd, `${chunk.join("\n")}\n`);
        chunk = [];
      }
      writeSync(fd, `${chunk.join("\n")}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    this.#snapshotSize = this.#follower.size;
  }

  #saveDecisions(): void {
    const dir = this.options.stateDir;
    if (dir === undefined) return;
    const file = path.join(dir, DECISIONS_FILE);
    const saved = { decided: [...this.#decided] };
    writeFileSync(`${file}.tmp`, JSON.stringify(saved));
    renameSync(`${file}.tmp`, file);
  }

  get size(): number {
    return this.#follower.size;
  }

  get halted(): string | null {
    return this.#halted;
  }

  /** One look at the latest checkpoint: catch up, check, decide. */
  async tick(): Promise<TickResult> {
    if (this.#halted !== null) return { status: "halted", detail: this.#halted };
    const note = await this.options.source.checkpointNote();
    const check = verifyCheckpointNote(note, this.options.policy, this.options.verifier);
    if (!check.ok) return { status: "waiting", detail: `${check.code}: ${check.detail}` };
    const { size, rootHash } = check.verified.checkpoint;
    if (size < this.#follower.size) return { status: "waiting", detail: `checkpoint ${size} is behind the replay at ${this.#follower.size}` };
    // A page at a time: a follower far behind never holds more than one page of entries.
    while (size > this.#follower.size) {
      const from = this.#follower.size;
      const page = await this.options.source.entries(from, Math.min(size, from + CATCH_UP_PAGE));
      if (page.length === 0) return { status: "waiting", detail: `the log served no entries from leaf ${from}` };
      const failure = this.#follower.appendAll(page);
      if (failure !== null) return this.#halt(`replay failed at leaf ${failure.leafIndex}: ${failure.code}: ${failure.detail}`);
    }
    if (bytesToHex(this.#follower.logRoot()) !== bytesToHex(rootHash)) return this.#halt(`the cosigned checkpoint ${size} has another log root than this agent's replay`);
    if (bytesToHex(this.#follower.stateRoot()) !== bytesToHex(check.verified.stateRoot)) return this.#halt(`the cosigned checkpoint ${size} has another state root than this agent's replay`);
    // Only a replay that matched a cosigned checkpoint is kept.
    this.#saveSnapshot();
    const checkpointHash = checkpointTextHash(check.verified.text);
    const decisions: AgentDecision[] = [];
    for (const financing of this.#pending()) {
      decisions.push(await this.#decide(financing, checkpointHash));
      this.#saveDecisions();
    }
    return { status: "decided", size, decisions };
  }

  #halt(detail: string): TickResult {
    this.#halted = detail;
    this.#log(`HALTED: ${detail}; no disbursement will be signed`);
    return { status: "halted", detail };
  }

  /** Accepted financings under one of this lender's policies, not decided yet. */
  #pending(): Financing[] {
    const state = this.#follower.state;
    return [...state.financings.values()].filter(
      (financing) => financing.status === "accepted" && financing.policyId !== null && financing.lenderOrgId === this.options.lenderOrgId && !this.#decided.has(financing.id),
    );
  }

  async #decide(financing: Financing, checkpointHash: string): Promise<AgentDecision> {
    this.#decided.add(financing.id);
    const refusal = refusalOf(this.#follower.state, financing, this.options.limits, this.#spentToday(), this.#clock());
    if (refusal !== null) {
      this.#log(`left alone ${financing.id}: ${refusal.code}: ${refusal.detail}`);
      return { financingId: financing.id, outcome: "left_alone", ...refusal };
    }
    // With a terms salt, so another lender's bundle shows the payment reference as a commitment only.
    const body = { financingId: financing.id, paymentReference: paymentReference(financing.id), checkpointHash, termsSaltHex: termsSalt(randomBytes) };
    const signed = buildSigned(this.options.key, "financing.disburse", body, { nonce: randomBytes(16).toString("hex"), createdAtMs: this.#clock() });
    const wire = toWire(signed);
    const answer = await this.options.submit(wire);
    if (!answer.ok) {
      this.#log(`submit failed for ${financing.id}: ${answer.detail}`);
      return { financingId: financing.id, outcome: "submit_failed", detail: answer.detail };
    }
    this.#count(financing);
    this.#log(`disbursed ${financing.id} at checkpoint ${checkpointHash}`);
    return { financingId: financing.id, outcome: "disbursed", checkpointHash, txId: answer.detail };
  }

  #spentToday(): bigint {
    return this.#spent.disbursedByDay.get(beijingDate(this.#clock())) ?? 0n;
  }

  /** Counts an accepted disbursement towards today's cap, once, and keeps it before going on. */
  #count(financing: Financing): void {
    if (this.#spent.disbursed.has(financing.id)) return;
    const day = beijingDate(this.#clock());
    const amountMinor = financing.faceMinor ?? this.#follower.state.getClaim(financing.claimId)?.amountMinor ?? 0n;
    this.#spent.disbursedByDay.set(day, (this.#spent.disbursedByDay.get(day) ?? 0n) + amountMinor);
    this.#spent.disbursed.add(financing.id);
    this.#store.record(this.#spent);
  }
}

/** The lender's payment reference for a disbursement its agent confirms: stable per financing. */
export function paymentReference(financingId: string): string {
  return `AGENT-${financingId.slice(4, 16).toUpperCase()}`;
}

/** Why the agent leaves a financing alone, in the order it checks, or null when it disburses. */
export function refusalOf(state: MemoryState, financing: Financing, limits: AgentLimits, spentTodayMinor: bigint, nowMs: number): { code: AgentDecisionCode; detail: string } | null {
  if (limits.paused) return { code: "agent_paused", detail: "the lender paused its agent" };
  const policy = state.getPolicy(financing.policyId as string);
  if (policy === undefined || policy.status !== "active" || policy.lenderOrgId !== financing.lenderOrgId) {
    return { code: "policy_not_active", detail: `policy ${financing.policyId} is ${policy?.status ?? "unknown"}` };
  }
  const claim = state.getClaim(financing.claimId);
  if (claim === undefined) return { code: "claim_not_found", detail: financing.claimId };
  const leaf = claimStateLeaf(claim, state.getActivePledge(claim.id));
  const eligible = checkEligibility(claim.id, leaf, { claimId: financing.claimId, financingId: financing.id, applicantOrgId: financing.holderOrgId, lenderOrgId: financing.lenderOrgId }, nowMs);
  if (!eligible.ok) return { code: eligible.code, detail: eligible.detail };
  const amountMinor = financing.faceMinor ?? claim.amountMinor;
  if (limits.maxAmountMinor !== null && amountMinor > limits.maxAmountMinor) return { code: "over_local_limit", detail: `${amountMinor} above the agent's ${limits.maxAmountMinor}` };
  if (limits.dailyCapMinor !== null && spentTodayMinor + amountMinor > limits.dailyCapMinor) {
    return { code: "daily_cap_reached", detail: `${spentTodayMinor} disbursed today, cap ${limits.dailyCapMinor}` };
  }
  return null;
}
