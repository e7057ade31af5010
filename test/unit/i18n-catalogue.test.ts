import {
  isArgumentElement,
  isDateElement,
  isNumberElement,
  isPluralElement,
  isSelectElement,
  isTagElement,
  isTimeElement,
  parse,
  type MessageFormatElement,
} from "@formatjs/icu-messageformat-parser";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CHECK_ORDER, RESULT_CODES } from "@/contracts/ledger/kinds";
import { parseAmountMinor } from "@/contracts/money";
import { TRUST_CHECK_TEXT } from "@/contracts/trust-policy";
import { checkUscc } from "@/contracts/uscc";
import { PROVENANCE_FAILURE_CODES } from "@/app/_lib/verifier-text";
import { CONVERTED_FILES, flatten, loadCatalogue, parse as parseSource, walk } from "./i18n-source";

const en = flatten(loadCatalogue("en"));
const zh = flatten(loadCatalogue("zh-CN"));

/** The ICU arguments a message uses ({name}, {count, plural, …}), through the parser next-intl uses. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const visit = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (isArgumentElement(element) || isNumberElement(element) || isDateElement(element) || isTimeElement(element)) names.add(element.value);
      if (isSelectElement(element) || isPluralElement(element)) {
        names.add(element.value);
        for (const option of Object.values(element.options)) visit(option.value);
      }
      if (isTagElement(element)) visit(element.children);
    }
  };
  visit(parse(message));
  return [...names].sort();
}

describe("the catalogues (messages/en.json, messages/zh-CN.json)", () => {
  it("have the same keys in both languages", () => {
    expect([...en.keys()].filter((key) => !zh.has(key))).toEqual([]);
    expect([...zh.keys()].filter((key) => !en.has(key))).toEqual([]);
  });

  it("have no empty message, parse as ICU, and each message takes the same arguments in both languages", () => {
    for (const [key, message] of en) {
      expect(message.trim(), key).not.toBe("");
      expect(zh.get(key)?.trim(), key).not.toBe("");
      expect(argumentsOf(zh.get(key) ?? ""), key).toEqual(argumentsOf(message));
    }
  });

  it("say Chinese in Chinese: every zh-CN message that has words has Chinese characters", () => {
    // Symbols and shared names (≤ 30 days is "30 天内", but "—" and "< 0.1%" are the same in both).
    const untranslated = [...zh].filter(([, message]) => /[a-z]{3,}/.test(message.replace(/\{[^}]*\}/g, "")) && !/[\u4e00-\u9fff]/.test(message));
    expect(untranslated).toEqual([]);
  });

  it("key refusal texts by ledger result codes only", () => {
    // The result codes of the contracts, and the two the ledger service adds (server/ledger/service.ts).
    const codes = new Set<string>([...RESULT_CODES, "malformed_transaction", "transaction_id_conflict"]);
    const refusalKeys = [...en.keys()].filter((key) => key.startsWith("refusals.")).map((key) => key.slice("refusals.".length));
    expect(refusalKeys.length).toBeGreaterThan(40);
    expect(refusalKeys.filter((code) => !codes.has(code))).toEqual([]);
  });

  it("say every trust check's refusal in both languages, keyed by its code only (the desk and the Trust page)", () => {
    const codes = Object.keys(TRUST_CHECK_TEXT);
    expect(codes.length).toBeGreaterThan(20);
    for (const catalogue of [en, zh]) {
      const keys = [...catalogue.keys()].filter((key) => key.startsWith("trust.checks.")).map((key) => key.slice("trust.checks.".length));
      expect(keys.sort()).toEqual([...codes].sort());
    }
  });

  it("say every provenance verifier failure in both languages, keyed by its code only (not the verifier's English detail)", () => {
    const codes = Object.keys(PROVENANCE_FAILURE_CODES);
    expect(codes.length).toBeGreaterThan(15);
    for (const catalogue of [en, zh]) {
      const keys = [...catalogue.keys()].filter((key) => key.startsWith("provenance.failures.")).map((key) => key.slice("provenance.failures.".length));
      expect(keys.sort()).toEqual([...codes, "other"].sort());
    }
  });

  it("name every transaction type in words, for history rows and timelines", () => {
    const types = Object.keys(CHECK_ORDER);
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((type) => !en.has(`transactions.${type}`) || !zh.has(`transactions.${type}`))).toEqual([]);
  });

  it("name every refusal of amounts typed by people and of unified social credit codes", () => {
    const amountCodes = ["", "-1", "1.001", "abc", "0", "10000000000亿"].map((text) => parseAmountMinor(text)).flatMap((r) => (r.ok ? [] : [r.code]));
    expect(new Set(amountCodes).size).toBe(6);
    for (const code of amountCodes) expect(en.has(`amount.${code}`) && zh.has(`amount.${code}`), code).toBe(true);
    const usccReasons = ["9", "91350100M000100I43", "9135A100M000100Y43", "91350100M000100Y44"].map((text) => checkUscc(text)).flatMap((r) => (r.ok ? [] : [r.reason]));
    expect(new Set(usccReasons).size).toBe(4);
    for (const reason of usccReasons) expect(en.has(`uscc.${reason}`) && zh.has(`uscc.${reason}`), reason).toBe(true);
  });
});

/** The namespace of a translator made by useTranslations("ns") / getTranslations("ns"), "" without one. */
function translatorNamespace(expression: ts.Expression): string | undefined {
  const call = ts.isAwaitExpression(expression) ? expression.expression : expression;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || !["useTranslations", "getTranslations"].includes(call.expression.text)) return undefined;
  const arg = call.arguments[0];
  return arg && ts.isStringLiteral(arg) ? `${arg.text}.` : "";
}

/** The translator a call is made on, by looking up its name in the enclosing functions, innermost first. */
function namespaceOfCallee(callee: ts.Expression): string | undefined {
  const direct = translatorNamespace(callee);
  if (direct !== undefined) return direct;
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression : undefined;
  if (name === undefined) return undefined;
  for (let scope: ts.Node | undefined = callee.parent; scope; scope = scope.parent) {
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name.text && declaration.initializer) {
          const namespace = translatorNamespace(declaration.initializer);
          if (namespace !== undefined) return namespace;
        }
      }
    }
  }
  return undefined;
}

/**
 * Every literal key a converted file asks for exists. A translator is made by
 * useTranslations("ns") or await getTranslations("ns") (or without a namespace); its calls
 * t("key") and t.has("key") with a literal are checked, and for a template key
 * t(`ns.${x}.label`) the literal part before the first substitution must start some key.
 */
describe("the converted pages ask only for keys that exist", () => {
  it.each(CONVERTED_FILES)("%s", (file) => {
    const missing: string[] = [];
    walk(parseSource(file), (node) => {
      if (!ts.isCallExpression(node)) return;
      const prefix = namespaceOfCallee(node.expression);
      if (prefix === undefined) return;
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
        const key = prefix + arg.text;
        if (!en.has(key) || !zh.has(key)) missing.push(key);
      } else if (arg && ts.isTemplateExpression(arg)) {
        const head = prefix + arg.head.text;
        if (![...en.keys()].some((key) => key.startsWith(head))) missing.push(`${head}…`);
      }
    });
    expect(missing).toEqual([]);
  });
});
