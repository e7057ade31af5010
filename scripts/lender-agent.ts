/**
 * Runs a lender's settlement agent (server/witness/lender-agent.ts, docs/witness.md §8) beside
 * its witness:
 *
 *   npm run lender-agent -- --lender ORG --key-file FILE --trust TRUST.json \
 *     --log-url http://127.0.0.1:3000/api/ledger --submit-url http://127.0.0.1:3000/api/v1/transactions \
 *     [--data DIR] [--max-amount MINOR] [--daily-cap MINOR] [--paused] [--interval-ms 250]
 *     [--state-dir DIR [--snapshot-every 10000]]
 *
 * --data DIR keeps the agent's daily amounts disbursed (agent-state.json) and its API key's
 * record; its replay (every --snapshot-every entries) and decisions go to --state-dir, by default
 * DIR/replay, and a restart goes on from them instead of replaying the log from genesis.
 *
 * FILE holds the agent key's 32-byte Ed25519 private key in hex: a key the lender registered
 * on the ledger for its agent. The API key that authenticates the submission (the signature is
 * what authorises it) comes from LENDER_AGENT_API_KEY. The trust policy is the lender's own,
 * pinned out of band (operator key, witness keys, quorum). DIR is the agent's own data folder:
 * the amounts it disbursed per Beijing day are kept there (agent-state.json), so a restart keeps
 * the daily cap; without --data they last as long as the process.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { identityFor } from "@/contracts/client";
import { hexToBytes } from "@/contracts/hex";
import { parseTrustPolicyText, pinnedOperatorKeysHex } from "@/contracts/trust-policy";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { fileAgentState } from "@/server/witness/agent-state";
import { LenderAgent, type AgentLogSource } from "@/server/witness/lender-agent";
import { httpLogSource } from "@/server/witness/log-source";
import { exitWithParent } from "./exit-with-parent";

exitWithParent();

installNodeSha256();

const { values } = parseArgs({
  options: {
    lender: { type: "string" },
    "key-file": { type: "string" },
    trust: { type: "string" },
    "log-url": { type: "string" },
    "submit-url": { type: "string" },
    data: { type: "string" },
    "max-amount": { type: "string" },
    "daily-cap": { type: "string" },
    paused: { type: "boolean", default: false },
    "interval-ms": { type: "string", default: "250" },
    "state-dir": { type: "string" },
    "snapshot-every": { type: "string" },
  },
});

function required(name: "lender" | "key-file" | "trust" | "log-url" | "submit-url"): string {
  const value = values[name];
  if (typeof value !== "string" || value.length === 0) throw new Error(`--${name} is required`);
  return value;
}

function amount(name: "max-amount" | "daily-cap"): bigint | null {
  const value = values[name];
  if (value === undefined) return null;
  if (!/^[1-9][0-9]{0,30}$/.test(value)) throw new Error(`--${name} is an amount in minor units`);
  return BigInt(value);
}

async function main(): Promise<void> {
  const trust = parseTrustPolicyText(readFileSync(required("trust"), "utf8"));
  if (!trust.ok) throw new Error(`--trust: ${trust.code}: ${trust.detail}`);
  const [operatorPublicKeyHex] = pinnedOperatorKeysHex(trust.policy);
  if (operatorPublicKeyHex === undefined) throw new Error("--trust pins no Ed25519 operator key");
  const key = identityFor(required("lender"), hexToBytes(readFileSync(required("key-file"), "utf8").trim(), 32));
  const logUrl = required("log-url").replace(/\/+$/, "");
  const entries = httpLogSource(logUrl);
  const source: AgentLogSource = {
    async checkpointNote() {
      const response = await fetch(`${logUrl}/checkpoint`, { signal: AbortSignal.timeout(15_000) });
      if (!response.ok) throw new Error(`GET checkpoint answered ${response.status}`);
      return ((await response.json()) as { note: string }).note;
    },
    entries: (start, end) => entries.entries(start, end),
  };
  const submitUrl = required("submit-url");
  const apiKey = process.env.LENDER_AGENT_API_KEY ?? "";
  const agent = new LenderAgent({
    lenderOrgId: required("lender"),
    key,
    policy: trust.policy,
    operatorPublicKeyHex,
    source,
    verifier: nodeVerifier,
    ...(values.data ? { state: fileAgentState(values.data) } : {}),
    limits: { maxAmountMinor: amount("max-amount"), dailyCapMinor: amount("daily-cap"), paused: values.paused === true },
    log: (line) => console.log(line),
    ...(values["state-dir"] ? { stateDir: values["state-dir"] } : values.data ? { stateDir: path.join(values.data, "replay") } : {}),
    ...(values["snapshot-every"] ? { snapshotEveryEntries: Number(values["snapshot-every"]) } : {}),
    async submit(signed) {
      const response = await fetch(submitUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), "idempotency-key": `agent-${signed.transaction.nonce}` },
        body: JSON.stringify(signed),
        signal: AbortSignal.timeout(15_000),
      });
      const answer = (await response.json().catch(() => ({}))) as { txId?: string; code?: string; detail?: string; status?: string };
      return response.ok && answer.status !== "refused" ? { ok: true, detail: answer.txId ?? "" } : { ok: false, detail: `${response.status} ${answer.code ?? ""} ${answer.detail ?? ""}`.trim() };
    },
  });
  console.log(`lender agent for ${key.orgId} with key ${key.keyId}, following ${logUrl}`);
  const intervalMs = Number(values["interval-ms"]);
  let lastWaiting = "";
  let lastSize = -1;
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (stopping = true));
  console.log("lender agent ready");
  while (!stopping) {
    try {
      const result = await agent.tick();
      if (result.status === "halted") break;
      if (result.status === "waiting" && result.detail !== lastWaiting) console.log(`waiting: ${result.detail}`);
      lastWaiting = result.status === "waiting" ? result.detail : "";
      if (result.status === "decided" && result.size !== lastSize) console.log(`replayed to leaf ${(lastSize = result.size)}`);
      if (result.status === "decided" && result.decisions.length > 0) console.log(`checkpoint ${result.size}: ${result.decisions.length} decision(s)`);
    } catch (error) {
      console.log(`unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  process.exit(agent.halted === null ? 0 : 2);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
