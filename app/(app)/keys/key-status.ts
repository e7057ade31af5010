import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type OrganisationKeys = inferRouterOutputs<AppRouter>["keys"]["myKeys"];
export type KeyRequest = OrganisationKeys["requests"][number];

export type Tone = "slate" | "green" | "amber" | "red" | "blue";

export interface KeyStatus {
  kind: "registered" | "revoked" | "pending" | "expired" | "rejected" | "unregistered";
  tone: Tone;
  label: string;
  request: KeyRequest | undefined;
}

/** Where a key stands: on the ledger (the truth), else its latest request. */
export function keyStatus(keyId: string, data: OrganisationKeys | undefined): KeyStatus | null {
  if (!data) return null;
  const key = data.keys.find((k) => k.keyId === keyId);
  const request = data.requests.find((r) => r.keyId === keyId);
  if (key?.status === "active") return { kind: "registered", tone: "green", label: "Registered on the ledger", request };
  if (key?.status === "revoked") return { kind: "revoked", tone: "red", label: "Revoked", request };
  if (request?.status === "pending") {
    return request.expired
      ? { kind: "expired", tone: "amber", label: "Request expired: sign it again", request }
      : { kind: "pending", tone: "amber", label: request.approver === "organisation" ? "Waiting for an admin's confirmation" : "Waiting for operator approval", request };
  }
  if (request?.status === "rejected") return { kind: "rejected", tone: "red", label: "Rejected by the operator", request };
  return { kind: "unregistered", tone: "slate", label: "Not registered", request };
}

export function formatDateTime(value: Date | string | number): string {
  return `${new Date(value).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
}

export const shortKeyId = (keyId: string) => `${keyId.slice(0, 8)}…${keyId.slice(-4)}`;
