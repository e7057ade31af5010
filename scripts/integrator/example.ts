/**
 * The bank's side of a financing over /api/v1, against a running app:
 *
 *   DC_API_URL=http://localhost:3000/api/v1 DC_API_KEY=dck_… DC_OPERATOR_KEY=<hex> npx tsx scripts/integrator/example.ts
 *
 * Lists the lender's queue, verifies the first application's (or DC_FINANCING_ID's) claim from its provenance bundle,
 * and signs and submits an offer with the bank's demo key (README, For integrators).
 */
import { bankClient, fetchAndVerifyBundle, listApplications, signAndSubmitOffer } from "./bank-client";

const baseUrl = process.env.DC_API_URL ?? "http://localhost:3000/api/v1";
const apiKey = process.env.DC_API_KEY;
const operatorKey = process.env.DC_OPERATOR_KEY;
if (!apiKey || !operatorKey) {
  console.error("Set DC_API_KEY (Settings → API & webhooks, scopes read+submit) and DC_OPERATOR_KEY (the operator's public key, pinned out of band).");
  process.exit(2);
}
const client = bankClient(baseUrl, apiKey);
const queue = await listApplications(client);
console.log(`${queue.length} application(s) waiting`);
const chosen = process.env.DC_FINANCING_ID;
const first = chosen ? queue.find((application) => application.id === chosen) : queue[0];
if (chosen && !first) {
  console.error(`application ${chosen} is not in the queue`);
  process.exit(1);
}
if (first) {
  const verified = await fetchAndVerifyBundle(client, first.claimId, operatorKey);
  console.log(`claim ${first.claimId}: provenance ${verified.ok ? "verified" : `FAILED (${JSON.stringify(verified)})`}`);
  if (verified.ok && verified.checkpointHash !== null) {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    // The offer names the checkpoint the bank's check ran against.
    const offer = await signAndSubmitOffer(client, first.id, { rateBps: 420, disbursementDate: today, checkpointHash: verified.checkpointHash });
    console.log(`offer: HTTP ${offer.status}`, offer.submitted ?? offer.problem);
    if (offer.problem) process.exit(1);
  } else process.exit(1);
}
