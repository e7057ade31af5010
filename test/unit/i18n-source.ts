import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The pages and components whose every user-visible string comes from the catalogues
 * (messages/*.json): every .tsx file of app/. A new page or component joins this list, and
 * the tests hold it to the catalogue (i18n-literals.test.ts checks the list is complete).
 */
export const CONVERTED_FILES = [
  "app/layout.tsx",
  "app/error.tsx",
  "app/not-found.tsx",
  "app/_components/app-shell.tsx",
  "app/_components/auth-frame.tsx",
  "app/_components/language-switcher.tsx",
  "app/_components/status-page.tsx",
  "app/_components/verifier-failure.tsx",
  "app/_components/new-password-form.tsx",
  "app/signin/page.tsx",
  "app/signin/sign-in-form.tsx",
  "app/reset-password/page.tsx",
  "app/reset-password/reset-password-form.tsx",
  "app/(app)/layout.tsx",
  "app/(app)/error.tsx",
  "app/(app)/not-found.tsx",
  "app/(app)/dashboard/page.tsx",
  "app/(app)/dashboard/claims-table.tsx",
  "app/(app)/dashboard/ledger-panel.tsx",
  "app/(app)/dashboard/exports-card.tsx",
  "app/(app)/dashboard/portfolio-chart.tsx",
  "app/(app)/claims/page.tsx",
  "app/(app)/claims/claims-workspace.tsx",
  "app/(app)/claims/[id]/split/page.tsx",
  "app/(app)/claims/[id]/split/split-form.tsx",
  "app/(app)/issue/page.tsx",
  "app/(app)/issue/issue-form.tsx",
  "app/(app)/issuances/page.tsx",
  "app/(app)/claims/[id]/page.tsx",
  "app/(app)/_components/trade-documents.tsx",
  "app/(app)/claims/[id]/provenance-view.tsx",
  "app/(app)/claims/[id]/voucher/page.tsx",
  "app/(app)/claims/[id]/voucher/share-controls.tsx",
  "app/verify/[token]/page.tsx",
  "app/verify/[token]/verify-view.tsx",
  "app/(app)/claims/[id]/finance/page.tsx",
  "app/(app)/claims/[id]/finance/apply-form.tsx",
  "app/(app)/claims/[id]/finance/instant-offers.tsx",
  "app/(app)/financing/page.tsx",
  "app/(app)/financing/[id]/page.tsx",
  "app/(app)/financing/[id]/financing-actions.tsx",
  "app/(app)/financing/[id]/lender-desk.tsx",
  "app/(app)/financing/[id]/trust-checks.tsx",
  "app/(app)/financing/[id]/refresh-while-waiting.tsx",
  "app/(app)/trust/page.tsx",
  "app/(app)/trust/trust-workspace.tsx",
  "app/(app)/financing/pledges-card.tsx",
  "app/(app)/operator/organisations/page.tsx",
  "app/(app)/operator/organisations/organisations-table.tsx",
  "app/(app)/settings/users/page.tsx",
  "app/(app)/settings/users/users-table.tsx",
  "app/(app)/settings/users/invite-form.tsx",
  "app/(app)/settings/integrations/page.tsx",
  "app/(app)/settings/integrations/integrations.tsx",
  "app/(app)/settings/notifications/page.tsx",
  "app/(app)/settings/sign-in/page.tsx",
  "app/(app)/settings/sign-in/sign-in-passkeys.tsx",
  "app/(app)/settings/notifications/preferences-form.tsx",
  "app/(app)/inbox/page.tsx",
  "app/(app)/inbox/inbox-list.tsx",
  "app/(app)/approvals/page.tsx",
  "app/(app)/approvals/approvals-queue.tsx",
  "app/(app)/credit-lines/page.tsx",
  "app/(app)/credit-lines/credit-lines-table.tsx",
  "app/(app)/credit-lines/grant-form.tsx",
  "app/(app)/financing/policies/page.tsx",
  "app/(app)/financing/policies/policy-form.tsx",
  "app/(app)/issuances/issuances-table.tsx",
  "app/(app)/issuances/falling-due.tsx",
  "app/(app)/issuances/[rootId]/page.tsx",
  "app/(app)/issuances/[rootId]/repayment-form.tsx",
  "app/(app)/operator/jobs/page.tsx",
  "app/(app)/operator/jobs/scheduled-jobs-table.tsx",
  "app/(app)/operator/keys/page.tsx",
  "app/(app)/operator/keys/key-requests-table.tsx",
  "app/(app)/keys/page.tsx",
  "app/(app)/keys/keys-workspace.tsx",
  "app/(app)/keys/browser-key.tsx",
  "app/(app)/keys/passkey-panel.tsx",
  "app/(app)/keys/create-key-form.tsx",
  "app/(app)/keys/no-key-yet.tsx",
  "app/(app)/keys/organisation-keys.tsx",
  "app/(app)/keys/confirm-request.tsx",
  "app/(app)/keys/key-set-check.tsx",
  "app/_components/unlock-dialog.tsx",
  "app/apply/page.tsx",
  "app/apply/apply-form.tsx",
  "app/invite/[token]/page.tsx",
  "app/invite/[token]/accept-invite-form.tsx",
  "app/page.tsx",
  "app/_components/ui.tsx",
  "app/_components/data-table.tsx",
  "app/_lib/signing-context.tsx",
  "app/_trpc/client.tsx",
] as const;

export const ROOT = path.resolve(import.meta.dirname, "../..");

export function parse(file: string): ts.SourceFile {
  return parseText(file, fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/** A TSX source given as text (for the scanners' own tests). */
export function parseText(name: string, text: string): ts.SourceFile {
  return ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
}

export function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

export function loadCatalogue(locale: "en" | "zh-CN"): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "messages", `${locale}.json`), "utf8")) as Record<string, unknown>;
}

/** "a.b.c" -> message, for every leaf of a catalogue. */
export function flatten(tree: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(full, value);
    else for (const [k, v] of flatten(value as Record<string, unknown>, full)) out.set(k, v);
  }
  return out;
}
