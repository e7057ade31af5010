import type { Db } from "@/db/client";
import type { OrgStateLeaf } from "@/contracts/state-leaves";
import type { StateMapProof } from "@/contracts/state-map";
import type { Actor } from "../actor";
import { assertAllowed, canReadOrganisationKeys } from "../authz";
import { organisationStateProof } from "../ledger/provenance";
import { publishedTrustPolicy } from "./published-trust";

/*
 * What the Keys page checks its organisation's key set with (issue 14; contracts/key-set-check.ts):
 * the organisation's state leaf and map proof under the last checkpoint, with the checkpoint's
 * note and the witnesses' cosignatures. The operator's checkpoint keys come along for a browser
 * whose organisation pinned no trust policy; the page then says the check rests on the
 * operator's word alone, since these keys come from the operator too.
 */

export type OrganisationKeySetProofDto =
  | { status: "proved"; checkpointNote: string; leaf: OrgStateLeaf; proof: StateMapProof; operatorKeys: string[] }
  | { status: "no_state_root" | "not_on_ledger" };

export async function organisationKeySetProof(db: Db, actor: Actor): Promise<OrganisationKeySetProofDto> {
  assertAllowed(canReadOrganisationKeys(actor, actor.orgId), "You can only check the keys of your own organisation.");
  const answer = await organisationStateProof(db, actor.orgId);
  if (typeof answer === "string") return { status: answer };
  const { operatorKeys } = await publishedTrustPolicy(db);
  return { status: "proved", ...answer, operatorKeys };
}
