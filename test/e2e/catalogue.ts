import { readFileSync } from "node:fs";

/**
 * The interface's own texts, read from its catalogue (messages/<locale>.json), for tests that
 * drive the app in a language other than English: a label is found by the words the reader
 * sees, and a renamed key fails here instead of matching nothing. Only simple `{name}`
 * placeholders are filled; plural forms are not looked up this way.
 */
export function catalogue(locale: "zh-CN" | "en"): (key: string, values?: Record<string, string | number>) => string {
  const messages = JSON.parse(readFileSync(`messages/${locale}.json`, "utf8")) as Record<string, unknown>;
  return (key, values = {}) => {
    const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
    if (typeof text !== "string") throw new Error(`messages/${locale}.json has no text ${key}`);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
}
