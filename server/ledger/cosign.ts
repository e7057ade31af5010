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
 */

export interface CosignRound {
  size: number;
  cosigned: string[];
  failed: { witness: string; status: number; detail: string }[];
}

export class WitnessCosigner {
  readonly #endpoints: WitnessEndpoint[];
  #running: Promise<void> | null = null;
  #again = false;
  lastRound: CosignRound | null = null;

  constructor(
    private readonly db: Db,
    private readonly subtrees: ProvenanceStore,
    witnesses: readonly WitnessConfig[],
    readonly quorum: number,
    private readonly verifier: SignatureVerifier = nodeVerifier,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {
    this.#endpoints = witnesses.map(({ url, key }) => {
      const parsed = parseVerifierKey(key);
      if (!parsed.ok || parsed.key.type !== NOTE_SIGNATURE_TYPE_COSIGNATURE_V1) throw new Error(`witness ${url}: not a cosignature/v1 verifier key${parsed.ok ? "" : `: ${parsed.detail}`}`);
      return { url, key: parsed.key };
    });
  }

  get enabled(): boolean {
    return this.#endpoints.length > 0;
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

  /** Waits until no round is running or queued (the seed and tests). */
  async settle(): Promise<void> {
    while (this.#running !== null) await this.#running;
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

  /** One round: every witness is asked for the last checkpoint, in parallel. */
  async cosignLatest(): Promise<CosignRound | null> {
    const [last] = await this.db.select({ size: ledgerCheckpoints.size, note: ledgerCheckpoints.note }).from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
    if (!last || last.note === null) return null;
    const note = last.note;
    const round: CosignRound = { size: last.size, cosigned: [], failed: [] };
    await Promise.all(
      this.#endpoints.map(async (endpoint) => {
        const name = endpoint.key.name;
        try {
          const [done] = await this.db.select({ n: sql<number>`count(*)::int` }).from(checkpointCosignatures).where(sql`${checkpointCosignatures.size} = ${last.size} and ${checkpointCosignatures.witnessName} = ${name}`);
          if ((done?.n ?? 0) > 0) return void round.cosigned.push(name);
          const [previous] = await this.db.select({ size: checkpointCosignatures.size }).from(checkpointCosignatures).where(eq(checkpointCosignatures.witnessName, name)).orderBy(desc(checkpointCosignatures.size)).limit(1);
          const oldSize = previous?.size ?? 0;
          // The stored subtree hashes answer a proof from any size the witness names (a 409 retry).
          const answer = await requestCosignature(endpoint, note, oldSize, (old) => consistencyProofBetween(this.db, this.subtrees, old, last.size), this.verifier);
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
      }),
    );
    return round;
  }
}
