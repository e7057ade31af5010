import superjson from "superjson";
import type { SuperJSONResult } from "superjson";

/*
 * The API's wire format is superjson's (the browser's client deserialises with it), but
 * superjson walks every answer field by field, keeping paths for a meta section that plain
 * JSON never needs: in a profile of the bench's mixed workload it was the server's largest
 * cost after garbage collection (dashboards, claim lists, the 75 kB provenance bundle). For a
 * value that is plain JSON, superjson.serialize(value) is { json: value } with no meta, so this
 * serialiser answers that after one cheap check, and hands anything else (a bigint, a Date,
 * undefined, a Map, a class instance, NaN) to superjson as before. The client reads both the
 * same way. The one difference: an object reached twice in one answer arrives as two equal
 * copies (superjson would add referentialEqualities meta to restore one shared object; no
 * caller compares answers' objects by identity). Inputs are still superjson's.
 */

const MAX_DEPTH = 64;

/** True when JSON.stringify would reproduce `value` exactly and superjson would add no meta. */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // NaN, ±Infinity and -0 are superjson's special numbers.
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) {
        // superjson refuses these keys (a prototype pollution guard): it must see them, and refuse.
        if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      // Symbol keys are dropped by JSON, and superjson ignores them too; nothing else to check.
      return true;
    }
    default:
      return false;
  }
}

/** What `encode` answers when superjson must take the whole value. */
const GIVE_UP: unique symbol = Symbol("superjson");

type Annotations = Record<string, [string]>;

/** superjson's path syntax: keys joined by ".", a "." or "\\" in a key escaped with "\\" (superjson's pathstringifier). */
function childPath(path: string, depth: number, key: string): string {
  const escaped = key.includes(".") || key.includes("\\") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key;
  // At the root the path is empty; an empty key below it is a path of its own ("" then ".0").
  return depth === 0 ? escaped : `${path}.${escaped}`;
}

/**
 * The JSON form of a value made of plain JSON, bigints (every amount in minor units), Dates and
 * undefined properties, with superjson's annotation of each bigint, Date and undefined by
 * path, in one walk; GIVE_UP for anything else (and for any number, key or depth superjson
 * treats specially), which superjson then serialises whole.
 */
function encode(value: unknown, path: string, values: Annotations, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? value : GIVE_UP;
    case "bigint":
      if (depth === 0) return GIVE_UP; // a bare bigint's annotation has another shape
      values[path] = ["bigint"];
      return value.toString();
    case "undefined":
      if (depth === 0) return GIVE_UP;
      values[path] = ["undefined"];
      return null;
    case "object": {
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return GIVE_UP;
      if (value instanceof Date) {
        if (depth === 0 || Number.isNaN(value.getTime())) return GIVE_UP;
        values[path] = ["Date"];
        return value.toISOString();
      }
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return GIVE_UP;
          const item = encode(value[i], childPath(path, depth, String(i)), values, depth + 1);
          if (item === GIVE_UP) return GIVE_UP;
          out[i] = item;
        }
        return out;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return GIVE_UP;
      const out: Record<string, unknown> = {};
      for (const key in value) {
        if (key === "__proto__" || key === "constructor" || key === "prototype") return GIVE_UP;
        const item = encode((value as Record<string, unknown>)[key], childPath(path, depth, key), values, depth + 1);
        if (item === GIVE_UP) return GIVE_UP;
        out[key] = item;
      }
      return out;
    }
    default:
      return GIVE_UP;
  }
}

export const apiTransformer = {
  input: superjson,
  output: {
    serialize(value: unknown): SuperJSONResult {
      if (isPlainJson(value)) return { json: value } as SuperJSONResult;
      // Claim lists and dashboards carry bigint amounts: annotated in one walk, as superjson
      // would (less its referentialEqualities, as above), instead of superjson's several.
      const values: Annotations = {};
      const json = encode(value, "", values, 0);
      if (json === GIVE_UP) return superjson.serialize(value);
      return { json, meta: { values, v: 1 } } as SuperJSONResult;
    },
    deserialize: superjson.deserialize.bind(superjson),
  },
};
