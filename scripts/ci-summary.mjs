// Sums the vitest and Playwright JSON reports and the plain steps of a CI run into one line:
// "N passed, N failed". Exits non-zero when anything failed or no test ran.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0;
let failed = 0;
const lines = [];
const failures = [];
for (const file of fs.readdirSync(dir).sort()) {
  const full = path.join(dir, file);
  if (file.startsWith("step-")) {
    const ok = fs.readFileSync(full, "utf8").trim() === "ok";
    if (!ok) failed += 1;
    lines.push(`${file.slice(5)}: ${ok ? "ok" : "FAILED"}`);
  } else if (file.startsWith("vitest-")) {
    const report = JSON.parse(fs.readFileSync(full, "utf8"));
    const p = report.numPassedTests ?? 0;
    const ranNone = (report.numTotalTests ?? 0) === 0;
    if (ranNone) failures.push(`${file}: no test ran`);
    const f = (report.numFailedTests ?? 0) + ((report.numTotalTestSuites > 0 && report.success === false && report.numFailedTests === 0) || ranNone ? 1 : 0);
    passed += p;
    failed += f;
    lines.push(`${file}: ${p} passed, ${f} failed, ${report.numPendingTests ?? 0} skipped`);
    for (const suite of report.testResults ?? []) {
      const where = path.relative(process.cwd(), suite.name ?? "");
      for (const t of suite.assertionResults ?? []) {
        if (t.status === "failed") failures.push(`${file}: ${where} > ${t.fullName ?? t.title}: ${String(t.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300)}`);
      }
      if ((suite.assertionResults ?? []).length === 0 && suite.status === "failed") failures.push(`${file}: ${where}: ${String(suite.message ?? "").split("\n")[0].slice(0, 300)}`);
    }
  } else if (file.startsWith("playwright-")) {
    const report = JSON.parse(fs.readFileSync(full, "utf8"));
    const stats = report.stats ?? {};
    const walk = (suite) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          if (t.status === "unexpected" || t.status === "flaky") failures.push(`${file}: ${spec.file} > ${spec.title} (${t.status})`);
        }
      }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of report.suites ?? []) walk(suite);
    const p = stats.expected ?? 0;
    // A run that stopped before any test (its web server never came up: a global error) or ran none is a failure, not "0 failed".
    for (const error of report.errors ?? []) failures.push(`${file}: ${String(error.message ?? error).split("\n")[0].slice(0, 300)}`);
    const none = p + (stats.unexpected ?? 0) + (stats.flaky ?? 0) === 0;
    if (none && (report.errors ?? []).length === 0) failures.push(`${file}: no test ran`);
    const f = (stats.unexpected ?? 0) + (stats.flaky ?? 0) + ((report.errors ?? []).length > 0 || none ? 1 : 0);
    passed += p;
    failed += f;
    lines.push(`${file}: ${p} passed, ${f} failed, ${stats.skipped ?? 0} skipped`);
  }
}
for (const suite of ["vitest-pglite.json", "vitest-postgres.json", "vitest-reliability.json", "vitest-trust.json", "playwright-e2e.json"]) {
  if (!fs.existsSync(path.join(dir, suite))) {
    failed += 1;
    lines.push(`${suite}: MISSING (the suite did not run)`);
  }
}
console.log("--- CI summary");
// The failing tests by name, so the last lines of a CI log say what to look at.
for (const line of failures) console.log(`FAILED ${line}`);
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
