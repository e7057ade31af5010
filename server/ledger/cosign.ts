import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { checkpointCosignatures, ledgerCheckpoints } from "@/db/schema";
import { NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, parseVerifierKey } from "@/contracts/note";
import type { SignatureVerifier } from "@/contracts/signing";
import { nodeVerifier } from "../crypto/node-verifier";
import type { WitnessConfig } from "../env";
import { requestCosignature, type WitnessEndpoint } from "./witness-client";
import { consistencyProofBetween, type ProvenanceStore } from "./provenance";

/*
 * Asks the deployment's witnesses to cosign the last checkpoint after blocks commit (issue 13,
 * C2SP tlog-witness add-checkpoint). It runs beside the commit, never inside it: `kick()`
 * returns at once, one round runs at a time, and kicks during a round coalesce into one more
 * round for the newest checkpoint. Each witness is asked from the size it last cosigned (kept
 * in checkpoint_cosignatures), with a consistency proof; a witness that is down or refuses
 * costs only its own cosignature, logged, and is asked again with the next checkpoint.
 * Cosignatures are stored only after they verified under the witness's configured key.
 *
 * A round ends as soon as a quorum has cosigned its checkpoint (or every witness answered), so
 * one slow or unreachable witness never holds the next round back. Each witness has a lane with
 * at most one request in flight: a request still running when its round ended goes on, and its
 * cosignature is stored (and added to that round) when it comes; a round's request that has not
 * started yet when a newer round asks the same witness is dropped, since the newer checkpoint
 * is the one worth cosigning. So a slow witness never has more than one request in flight and
 * one waiting. (Rejected: waiting for every witness, which let the slowest set the pace of
 * finality; and one request per witness per round with no lane, which piles requests up on a
 * witness slower than the blocks.)
 */

export interface CosignRound {
  size: number;
  cosigned: string[];
  failed: { witness: string; status: number; detail: string }[];
}

interface Checkpoint {
  size: number;
  note: string;
}

/** A witness's request for one round's checkpoint; `answered` is called once, asked or dropped. */
interface Ask {
  checkpoint: Checkpoint;
  round: CosignRound;
  answered: () => void;
}

/** One witness: at most one request in flight, and the newest one waiting. */
interface Lane {
  endpoint: WitnessEndpoint;
  waiting: Ask | null;
  draining: Promise<void> | null;
}

export class WitnessCosigner {
  readonly #lanes: Lane[];
  #running: Promise<void> | null = null;
  #again = false;
  /** The size of the newest round started: a lane drops a waiting request for an older one. */
  #newestSize = 0;
  lastRound: CosignRound | null = null;

  constructor(
    private readonly db: Db,
    private readonly subtrees: ProvenanceStore,
    witnesses: readonly WitnessConfig[],
    readonly quorum: number,
    private readonly verifier: SignatureVerifier = nodeVerifier,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {
    this.#lanes = witnesses.map(({ url, key }) => {
      const parsed = parseVerifierKey(key);
      if (!parsed.ok || parsed.key.type !== NOTE_SIGNATURE_TYPE_COSIGNATURE_V1) throw new Error(`witness ${url}: not a cosignature/v1 verifier key${parsed.ok ? "" : `: ${parsed.detail}`}`);
      return { endpoint: { url, key: parsed.key }, waiting: null, draining: null };
    });
  }

  get enabled(): boolean {
    return this.#lanes.length > 0;
  }

  /** Starts a round (or queues one more) without waiting for it. */
  kick(): void {
    if (!this.enabled) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /** Waits until no round is running or queued and no witness's request is in flight (the seed and tests). */
  async settle(): Promise<void> {
    for (;;) {
      const busy = [this.#running, ...this.#lanes.map((lane) => lane.draining)].filter((work) => work !== null);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        this.lastRound = await this.cosignLatest();
      } catch (error) {
        this.log(`[cosign] round failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    } while (this.#again);
  }

  /**
   * One round: every witness is asked for the last checkpoint, in parallel. It returns once a
   * quorum cosigned or every witness answered; the round object gets the later answers too.
   */
  async cosignLatest(): Promise<CosignRound | null> {
    const [last] = await this.db.select({ size: ledgerCheckpoints.size, note: ledgerCheckpoints.note }).from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
    if (!last || last.note === null) return null;
    const checkpoint = { size: last.size, note: last.note };
    const round: CosignRound = { size: last.size, cosigned: [], failed: [] };
    this.#newestSize = Math.max(this.#newestSize, last.size);
    const enough = Math.max(1, this.quorum);
    await new Promise<void>((resolve) => {
      let answered = 0;
      for (const lane of this.#lanes) {
        this.#ask(lane, {
          checkpoint,
          round,
          answered: () => {
            answered += 1;
            if (round.cosigned.length >= enough || answered === this.#lanes.length) resolve();
          },
        });
      }
    });
    return round;
  }

  /** Queues a request on the witness's lane, replacing (dropping) one that has not started. */
  #ask(lane: Lane, ask: Ask): void {
    lane.waiting?.answered();
    lane.waiting = ask;
    lane.draining ??= this.#drain(lane).finally(() => {
      lane.draining = null;
    });
  }

  async #drain(lane: Lane): Promise<void> {
    for (let ask = lane.waiting; ask !== null; ask = lane.waiting) {
      lane.waiting = null;
      try {
        // A newer round started while this one waited: that round's request follows (or came) instead.
        if (ask.checkpoint.size >= this.#newestSize) await this.#askOne(lane.endpoint, ask.checkpoint, ask.round);
      } finally {
        ask.answered();
      }
    }
  }

  /** Asks one witness for one checkpoint and stores its cosignature; the outcome goes into the round. */
  async #askOne(endpoint: WitnessEndpoint, last: Checkpoint, round: CosignRound): Promise<void> {
    const name = endpoint.key.name;
    try {
      const [done] = await this.db.select({ n: sql<number>`count(*)::int` }).from(checkpointCosignatures).where(sql`${checkpointCosignatures.size} = ${last.size} and ${checkpointCosignatures.witnessName} = ${name}`);
      if ((done?.n ?? 0) > 0) return void round.cosigned.push(name);
      const [previous] = await this.db.select({ size: checkpointCosignatures.size }).from(checkpointCosignatures).where(eq(checkpointCosignatures.witnessName, name)).orderBy(desc(checkpointCosignatures.size)).limit(1);
      const oldSize = previous?.size ?? 0;
      // The stored subtree hashes answer a proof from any size the witness names (a 409 retry).
      const answer = await requestCosignature(endpoint, last.note, oldSize, (old) => consistencyProofBetween(this.db, this.subtrees, old, last.size), this.verifier);
      if (!answer.ok) {
        round.failed.push({ witness: name, status: answer.status, detail: answer.detail });
        this.log(`[cosign] ${name} did not cosign size ${last.size}: ${answer.status} ${answer.detail}`);
        return;
      }
      await this.db.insert(checkpointCosignatures).values({ size: last.size, witnessName: name, line: answer.line, timestampSeconds: answer.timestampSeconds }).onConflictDoNothing();
      round.cosigned.push(name);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      round.failed.push({ witness: name, status: 0, detail });
      this.log(`[cosign] ${name} unreachable for size ${last.size}: ${detail}`);
    }
  }
}
