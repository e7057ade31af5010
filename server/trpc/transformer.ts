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

export const apiTransformer = {
  input: superjson,
  output: {
    serialize(value: unknown): SuperJSONResult {
      return isPlainJson(value) ? ({ json: value } as SuperJSONResult) : superjson.serialize(value);
    },
    deserialize: superjson.deserialize.bind(superjson),
  },
};
