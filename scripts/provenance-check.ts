// npm run provenance:check -- --bundle FILE --trust TRUST.json [--last ACCEPTED.json --consistency PROOF.json]
//
// Verifies a claim's provenance bundle offline under a trust policy the caller pinned (never a
// key the bundle brings): the checkpoint note's operator signature and witness quorum, its
// consistency with the last checkpoint the caller accepted (when given), then the replay. Prints
// the verified state of the claim and who cosigned, or FAILED <code>: <what it means> (<detail>).
import fs from "node:fs";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { acceptedCheckpointSchema, parseTrustPolicyText, TRUST_CHECK_TEXT, verifyBundleUnderPolicy, type AcceptedCheckpoint, type BundleWithNote } from "@/contracts/trust-policy";

installNodeSha256();

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function fail(code: keyof typeof TRUST_CHECK_TEXT | "file_unreadable", detail: string): never {
  const meaning = code === "file_unreadable" ? "A file could not be read." : TRUST_CHECK_TEXT[code];
  console.error(`FAILED ${code}: ${meaning} (${detail})`);
  process.exit(1);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return fail("file_unreadable", `${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const bundleFile = option("--bundle");
const trustFile = option("--trust");
if (!bundleFile || !trustFile) {
  console.error("Usage: npm run provenance:check -- --bundle FILE --trust TRUST.json [--last ACCEPTED.json --consistency PROOF.json]");
  process.exit(2);
}
let trustText = "";
try {
  trustText = fs.readFileSync(trustFile, "utf8");
} catch (error) {
  fail("file_unreadable", `${trustFile}: ${error instanceof Error ? error.message : String(error)}`);
}
const policy = parseTrustPolicyText(trustText);
if (!policy.ok) fail(policy.code, policy.detail);

const lastFile = option("--last");
let lastAccepted: AcceptedCheckpoint | null = null;
if (lastFile) {
  const parsed = acceptedCheckpointSchema.safeParse(readJson(lastFile));
  if (!parsed.success) fail("file_unreadable", `${lastFile}: not an accepted checkpoint (${parsed.error.issues[0]?.message})`);
  lastAccepted = parsed.data;
}
const consistencyFile = option("--consistency");
const consistencyProofHex = consistencyFile ? (readJson(consistencyFile) as string[]) : null;

const result = verifyBundleUnderPolicy({ bundle: readJson(bundleFile) as BundleWithNote, policy: policy.policy, lastAccepted, consistencyProofHex }, nodeVerifier);
if (!result.ok) fail(result.code, `${result.detail}${result.leafIndex === undefined ? "" : ` at leaf ${result.leafIndex}`}`);
const { state, accepted, verified } = result;
const cosigners = verified.cosigners.map((cosigner) => `${cosigner.name} at ${new Date(cosigner.timestampSeconds * 1000).toISOString()}`);
console.log(`OK claim ${state.claimId} at checkpoint ${accepted.checkpointHash} (size ${accepted.size}, state root ${accepted.stateRootHex})`);
console.log(`cosigned by ${cosigners.length} of ${policy.policy.witnesses.length} pinned witnesses (quorum ${policy.policy.quorum}): ${cosigners.join("; ")}`);
console.log(
  `state: holder=${state.holderOrgId} state=${state.state} outstanding=${state.outstandingMinor} ${state.currency} maturity=${state.maturityDate} ` +
    `pledge=${state.activePledge === null ? "none" : `${state.activePledge.pledgeId} to ${state.activePledge.lenderOrgId}`} ` +
    `financing=${state.activeFinancingId ?? "none"} financedOnce=${state.financedOnce}`,
);
console.log(`accepted: ${JSON.stringify(accepted)}`);
