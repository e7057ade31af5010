import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { acquireDirectoryLock, DatabaseBusyError } from "@/db/lock";
import { formatYuan } from "@/contracts/chinese-format";

describe("password hashing", () => {
  it("verifies the right password only, with a random salt each time", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).not.toBe(b);
    expect(a.startsWith("scrypt$32768$8$1$")).toBe(true);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("correct horse battery", "plain$text")).toBe(false);
  });
});

describe("PGlite folder lock", () => {
  it("refuses a second process while the first holds the folder, and takes over a dead owner's lock", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dc-lock-"));
    const lock = acquireDirectoryLock(dir);
    const script = `import { acquireDirectoryLock } from "./db/lock.ts"; try { acquireDirectoryLock(${JSON.stringify(dir)}); console.log("ACQUIRED"); } catch (e) { console.log(e.name + ": " + e.message); }`;
    const second = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), encoding: "utf8" });
    expect(second.stdout).toContain("DatabaseBusyError");
    expect(second.stdout).toContain(String(process.pid));
    lock.release();
    // A lock file naming a process that no longer exists is stale and taken over.
    fs.writeFileSync(path.join(dir, "double-chain.lock"), "2147483646");
    const third = acquireDirectoryLock(dir);
    third.release();
    expect(fs.existsSync(path.join(dir, "double-chain.lock"))).toBe(false);
    expect(new DatabaseBusyError(dir, 1).message).toMatch(/DATABASE_URL/);
  });
});

describe("money on screen", () => {
  it.each([
    [0n, "¥0.00"],
    [1n, "¥0.01"],
    [20000n, "¥200.00"],
    [100000000n, "¥1,000,000.00"],
    [123456789012345678n, "¥1,234,567,890,123,456.78"],
    [-150n, "-¥1.50"],
  ])("formatYuan(%s) = %s (what every page shows, through the locale formatters)", (minor, text) => expect(formatYuan(minor)).toBe(text));
});
