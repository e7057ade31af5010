import { describe, expect, it } from "vitest";
import { isMatured } from "@/contracts/ledger/claims";
import { BEIJING_OFFSET_MS, beijingDate, beijingMidnightMs, daysToMaturity, maturityAtMs } from "@/contracts/ledger/maturity";
import { ACTORS, DOCUMENTS, standardWorld } from "./ledger-fixtures";

const at = (iso: string) => Date.parse(iso);

describe("Beijing business days (UTC+8, a constant of the contracts)", () => {
  it("the offset is eight hours, whatever the host's zone", () => expect(BEIJING_OFFSET_MS).toBe(28_800_000));

  it.each([
    // 23:59:59.999 Beijing on 3 December is 15:59:59.999 UTC: still the 3rd.
    ["2026-12-03T15:59:59.999Z", "2026-12-03"],
    // 00:00 Beijing on 4 December is 16:00 UTC on the 3rd: already the 4th.
    ["2026-12-03T16:00:00.000Z", "2026-12-04"],
    // 07:59 Beijing is the same day, though UTC is still on the day before.
    ["2026-12-02T23:59:00.000Z", "2026-12-03"],
    ["2026-12-31T16:00:00.000Z", "2027-01-01"],
    ["2028-02-28T16:00:00.000Z", "2028-02-29"],
  ])("%s is %s in Beijing", (iso, date) => expect(beijingDate(at(iso))).toBe(date));

  it("a business day starts at its Beijing midnight", () => {
    expect(beijingMidnightMs("2026-12-04")).toBe(at("2026-12-03T16:00:00Z"));
    expect(beijingDate(beijingMidnightMs("2026-12-04"))).toBe("2026-12-04");
    expect(beijingDate(beijingMidnightMs("2026-12-04") - 1)).toBe("2026-12-03");
  });
});

describe("the day of maturity (docs/business-days.md)", () => {
  const maturityDate = "2027-03-01";

  it("a claim matures at 00:00 Beijing on its maturity date, with no grace day", () => {
    expect(maturityAtMs(maturityDate)).toBe(at("2027-02-28T16:00:00Z"));
    // 23:59:59.999 on the day before: still tradeable.
    expect(isMatured({ maturityDate }, at("2027-02-28T15:59:59.999Z"))).toBe(false);
    // 00:00 on the maturity date: matured; only repayment and the overdue mark remain.
    expect(isMatured({ maturityDate }, at("2027-02-28T16:00:00.000Z"))).toBe(true);
  });

  it("counts days to maturity from the Beijing day of the instant", () => {
    expect(daysToMaturity(maturityDate, at("2027-02-27T15:59:59.999Z"))).toBe(2);
    expect(daysToMaturity(maturityDate, at("2027-02-27T16:00:00.000Z"))).toBe(1);
    expect(daysToMaturity(maturityDate, at("2027-02-28T16:00:00.000Z"))).toBe(0);
  });

});

describe("the contracts follow the Beijing day (NOW_MS is 17:00 Beijing on 2025-03-01)", () => {
  const lastInstant = at("2025-03-01T15:59:59.999Z"); // 23:59:59.999 Beijing
  const midnight = at("2025-03-01T16:00:00.000Z"); // 00:00 Beijing on 2 March

  it("issuing for tomorrow is accepted until 23:59:59.999 Beijing and refused from 00:00", () => {
    const { driver, lineId } = standardWorld();
    const body = { creditLineId: lineId, toOrgId: ACTORS.s1.orgId, amountMinor: 1_000n, currency: "CNY" as const, maturityDate: "2025-03-02", documents: DOCUMENTS };
    const issue = driver.sign(ACTORS.core, "claim.issue", body);
    expect(driver.attempt(issue, lastInstant).ok).toBe(true);
    expect(driver.attempt(issue, midnight)).toMatchObject({ ok: false, code: "maturity_not_in_future" });
  });

  it("a held piece can be split until 23:59:59.999 Beijing on the eve of maturity, not at 00:00", () => {
    const { driver, lineId } = standardWorld();
    const claimId = driver.issueHeld(ACTORS.core, lineId, ACTORS.s1, 1_000n, "2025-03-02");
    const split = driver.sign(ACTORS.s1, "claim.split", { claimId, parts: [{ toOrgId: ACTORS.s2.orgId, amountMinor: 400n }, { toOrgId: ACTORS.s1.orgId, amountMinor: 600n }] });
    expect(driver.attempt(split, lastInstant).ok).toBe(true);
    expect(driver.attempt(split, midnight)).toMatchObject({ ok: false, code: "claim_matured" });
  });
});
