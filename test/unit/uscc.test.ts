import { describe, expect, it } from "vitest";
import { checkUscc, usccCheckCharacter } from "@/contracts/uscc";
import { DEMO_ORGS } from "@/server/seed/demo-data";

describe("unified social credit code (GB 32100)", () => {
  // Published codes of real registrants (a Fuzhou enterprise often used as the standard's
  // example, State Grid and Huawei Technologies) and the demo seed's codes.
  it.each(["91350100M000100Y43", "911100001000080343", "914403001922038216", "91440300708461136T"])("accepts %s", (code) => {
    expect(checkUscc(code)).toEqual({ ok: true, code });
  });

  it.each(DEMO_ORGS.filter((org) => org.registrationNumber !== "").map((org) => [org.name, org.registrationNumber]))("the demo's %s has a valid code (%s)", (_name, code) => {
    expect(checkUscc(code).ok).toBe(true);
  });

  it("forgives surrounding spaces and lower case, and returns the normalised code", () => {
    expect(checkUscc(" 91350100m000100y43 ")).toEqual({ ok: true, code: "91350100M000100Y43" });
  });

  it.each([
    ["", "uscc_length"],
    ["91350100M000100Y4", "uscc_length"],
    ["91350100M000100Y433", "uscc_length"],
    ["91350100M000100I43", "uscc_character"],
    ["91350100MO00100Y43", "uscc_character"],
    ["9135010-M000100Y43", "uscc_character"],
    ["9135A100M000100Y43", "uscc_division"],
    ["91350100M000100Y44", "uscc_check_digit"],
    ["91350100M000100Y34", "uscc_check_digit"],
    ["91350100M000010Y43", "uscc_check_digit"],
  ])("refuses %j: %s", (code, reason) => expect(checkUscc(code)).toEqual({ ok: false, reason }));

  it("maps a remainder of 0 to the check character 0", () => {
    // 31 - 0 is 31, which the standard writes as 0: find such a prefix and check it round-trips.
    const prefix = "9111000010000803";
    const withZero = [..."0123456789ABCDEFGHJKLMNPQRTUWXY"].map((c) => prefix + c).find((p) => usccCheckCharacter(p) === "0");
    expect(withZero).toBeDefined();
    expect(checkUscc(`${withZero}0`).ok).toBe(true);
  });
});
