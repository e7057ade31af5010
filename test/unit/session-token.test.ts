import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { sessionUserId, type CookieJar } from "@/server/session/token";

/*
 * The session check decrypts next-auth's cookie and nothing more (server/session/token.ts):
 * real tokens, encrypted by next-auth's own encode, read back or refused.
 */

const SECRET = "session-token-test-secret-0123456789";
const jar = (cookies: Record<string, string>): CookieJar => ({ getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })) });
const tokenFor = (sub: string, options: { secret?: string; maxAge?: number } = {}) => encode({ token: { sub, name: "x" }, secret: options.secret ?? SECRET, maxAge: options.maxAge ?? 60 * 60 });

describe("sessionUserId", () => {
  it("names the user of a valid session cookie, under next-auth's cookie name for plain HTTP and for https", async () => {
    const token = await tokenFor("usr_huaxin_1");
    expect(await sessionUserId(jar({ "next-auth.session-token": token }), SECRET, false)).toBe("usr_huaxin_1");
    expect(await sessionUserId(jar({ "__Secure-next-auth.session-token": token }), SECRET, true)).toBe("usr_huaxin_1");
    // Behind https only the __Secure- cookie counts (a plain one could be set by a sibling http origin).
    expect(await sessionUserId(jar({ "next-auth.session-token": token }), SECRET, true)).toBeNull();
  });

  it("is no one without a cookie, with a token under another secret, an expired token or garbage", async () => {
    expect(await sessionUserId(jar({}), SECRET, false)).toBeNull();
    expect(await sessionUserId(jar({ "next-auth.session-token": await tokenFor("usr_a", { secret: "another-secret-of-enough-length" }) }), SECRET, false)).toBeNull();
    expect(await sessionUserId(jar({ "next-auth.session-token": await tokenFor("usr_a", { maxAge: -3600 }) }), SECRET, false)).toBeNull();
    expect(await sessionUserId(jar({ "next-auth.session-token": "not-a-token" }), SECRET, false)).toBeNull();
    // Another cookie of the same site holding a valid token is not the session.
    expect(await sessionUserId(jar({ "next-auth.csrf-token": await tokenFor("usr_a") }), SECRET, false)).toBeNull();
  });

  it("does not trust a tampered token: one changed character refuses it", async () => {
    const token = await tokenFor("usr_huaxin_1");
    const at = token.length - 30;
    const tampered = token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
    expect(await sessionUserId(jar({ "next-auth.session-token": tampered }), SECRET, false)).toBeNull();
  });

  it("remembers a token it decrypted, but refuses it once it expires, and only under the secret it was made with", async () => {
    const token = await tokenFor("usr_remembered", { maxAge: 60 });
    const cookie = jar({ "next-auth.session-token": token });
    const now = Date.now();
    expect(await sessionUserId(cookie, SECRET, false, now)).toBe("usr_remembered");
    expect(await sessionUserId(cookie, SECRET, false, now + 30_000)).toBe("usr_remembered");
    // Past its expiry (and jose's 15 s tolerance) the remembered token is no session.
    expect(await sessionUserId(cookie, SECRET, false, now + 60_000 + 16_000)).toBeNull();
    expect(await sessionUserId(cookie, "another-secret-of-enough-length", false, now)).toBeNull();
  });
});
