import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type OrganisationKeys = inferRouterOutputs<AppRouter>["keys"]["myKeys"];
export type KeyRequest = OrganisationKeys["requests"][number];

export type Tone = "slate" | "green" | "amber" | "red" | "blue";

/** Where a key stands; its words are in the catalogues (keys.status.<kind>). */
export interface KeyStatus {
  kind: "registered" | "revoked" | "pending" | "pendingOrganisation" | "expired" | "rejected" | "unregistered";
  tone: Tone;
  request: KeyRequest | undefined;
}

/** Where a key stands: on the ledger (the truth), else its latest request. */
export function keyStatus(keyId: string, data: OrganisationKeys | undefined): KeyStatus | null {
  if (!data) return null;
  const key = data.keys.find((k) => k.keyId === keyId);
  const request = data.requests.find((r) => r.keyId === keyId);
  if (key?.status === "active") return { kind: "registered", tone: "green", request };
  if (key?.status === "revoked") return { kind: "revoked", tone: "red", request };
  if (request?.status === "pending") {
    if (request.expired) return { kind: "expired", tone: "amber", request };
    return { kind: request.approver === "organisation" ? "pendingOrganisation" : "pending", tone: "amber", request };
  }
  if (request?.status === "rejected") return { kind: "rejected", tone: "red", request };
  return { kind: "unregistered", tone: "slate", request };
}

export const shortKeyId = (keyId: string) => `${keyId.slice(0, 8)}…${keyId.slice(-4)}`;
