import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CONVERTED_FILES, parse, parseText, ROOT, walk } from "./i18n-source";

/** Words a person reads: Latin letters or Chinese characters. */
const WORDS = /[A-Za-z\u4e00-\u9fff]/;
/** JSX attributes whose string values are shown to people (or read out by screen readers). */
const VISIBLE_ATTRIBUTES = new Set(["title", "subtitle", "label", "hint", "placeholder", "aria-label", "alt", "caption", "header", "body", "error"]);
/**
 * What may stay literal: the languages' own names, each written in itself, so that anyone
 * can find theirs in the switcher.
 */
const ALLOWED = new Set(["中文", "English"]);

function literalsOf(file: string, text?: string): string[] {
  const source = text === undefined ? parse(file) : parseText(file, text);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const trimmed = text.trim();
    if (WORDS.test(trimmed) && !ALLOWED.has(trimmed)) found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${trimmed}`);
  };
  walk(source, (node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    if (ts.isJsxAttribute(node) && VISIBLE_ATTRIBUTES.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) report(node, init.text);
      if (ts.isJsxExpression(init) && init.expression && (ts.isStringLiteral(init.expression) || ts.isNoSubstitutionTemplateLiteral(init.expression))) report(node, init.expression.text);
    }
    // Object literals of table columns and figures: { header: "Amount" } and the like.
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && VISIBLE_ATTRIBUTES.has(node.name.text) && (ts.isStringLiteral(node.initializer) || ts.isNoSubstitutionTemplateLiteral(node.initializer))) {
      report(node, node.initializer.text);
    }
  });
  return found;
}

describe("converted pages show no text that bypasses the catalogue", () => {
  it.each(CONVERTED_FILES)("%s", (file) => expect(literalsOf(file)).toEqual([]));

  it("covers every page and component of app/", () => {
    const tsx = (fs.readdirSync(path.join(ROOT, "app"), { recursive: true, encoding: "utf8" }) as string[]).filter((file) => file.endsWith(".tsx")).map((file) => `app/${file.split(path.sep).join("/")}`);
    expect(tsx.filter((file) => !(CONVERTED_FILES as readonly string[]).includes(file)).sort()).toEqual([]);
  });

  it("the scan finds each kind of literal where there is one, and nothing in catalogue calls", () => {
    // The scanner itself, on a page written the old way: text between tags, a visible
    // attribute, a column header in an object literal; and the same page through the catalogue.
    const literal = `export const P = () => <Card title="Credit lines"><p>Grant a line</p><DataTable columns={[{ header: "Lender" }]} /></Card>;`;
    expect(literalsOf("literal.tsx", literal)).toEqual(["1: Credit lines", "1: Grant a line", "1: Lender"]);
    const converted = `export const P = () => <Card title={t("title")}><p>{t("grant")}</p><DataTable columns={[{ header: t("lender") }]} /></Card>;`;
    expect(literalsOf("converted.tsx", converted)).toEqual([]);
  });
});
