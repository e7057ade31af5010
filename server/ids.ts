import { createHash, randomBytes } from "node:crypto";

/** Random, URL-safe ids for off-ledger records (organisations, users). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString("hex")}`;
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** How a bearer token (a share link's) is kept: its SHA-256, lowercase hex, so the table opens nothing. */
export function tokenHashOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
