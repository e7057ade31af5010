import { test, expect } from "vitest";
import { standardWorld, ACTORS } from "./ledger-fixtures";
test("smoke", () => {
  const { driver, lineId } = standardWorld();
  const id = driver.issueHeld(ACTORS.core, lineId, ACTORS.s1, 1000n);
  const kids = driver.split(ACTORS.s1, id, [[ACTORS.s1, 400n], [ACTORS.s2, 600n]]);
  expect(kids.length).toBe(2);
  driver.run(ACTORS.s2, "claim.accept", { claimId: kids[1]! });
  const fin = driver.requestFinancing(ACTORS.s2, kids[1]!, ACTORS.bank);
  driver.run(ACTORS.bank, "financing.offer", { financingId: fin, rateBps: 500, feeMinor: 10n, disbursementDate: "2025-03-01", recourse: false });
  driver.run(ACTORS.s2, "financing.accept", { financingId: fin });
  driver.run(ACTORS.bank, "financing.disburse", { financingId: fin, paymentReference: "PAY-1" });
  driver.run(ACTORS.core, "repayment.record", { rootClaimId: id, amountMinor: 333n, paymentReference: "R1" });
  console.log([...driver.state.claims.values()].map(c => [c.id, c.state, c.holderOrgId, c.amountMinor, c.settledMinor]));
  console.log(driver.state.financings.get(fin));
});
