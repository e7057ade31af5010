import { z } from "zod";
import { ROUTES, type Route } from "./routes";
import { problemSchema } from "./schemas";

/*
 * The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas with zod 4's own
 * z.toJSONSchema: OpenAPI 3.1's schema objects are JSON Schema 2020-12, which is what zod
 * emits, so no adapter library stands between the parser and the document.
 */

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  // The document declares the dialect once (OpenAPI 3.1's default is JSON Schema 2020-12).
  delete json.$schema;
  return json;
}

function parametersOf(route: Route): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [["path", route.params], ["query", route.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, "input") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });

function operationOf(route: Route): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = { description: response.description, content: { "application/json": { schema: schemaOf(response.schema, "output") } } };
  }
  Object.assign(responses, {
    400: problem("The request is malformed (code invalid_input, with errors naming each field)."),
    401: problem("No valid API key: missing, unknown, revoked or expired."),
    403: problem("The key lacks the scope, or the organisation may not do this."),
    404: problem("No such resource among those your organisation may see."),
    429: { ...problem("Too many requests: wait Retry-After seconds."), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } } },
    503: { ...problem("The database is away or busy (database_unavailable, database_busy): nothing was changed; send the same request again after Retry-After seconds."), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } } },
  });
  if (route.method === "POST") {
    Object.assign(responses, {
      409: problem("The ledger refused the transaction given its current state; code is the contract's result code."),
      422: problem("The transaction can never be accepted as sent (form, signature, key), or the Idempotency-Key was used for another request; code says which."),
    });
  }
  const parameters = parametersOf(route);
  if (route.method === "POST") {
    parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 }, description: "The same key with the same request answers the first answer again for 24 hours." });
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    "x-scope": route.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(route.body, "input") } } } } : {}),
    responses,
  };
}

export function openApiDocument(serverUrl = "/api/v1"): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  return {
    openapi: "3.1.0",
    info: {
      title: "Double-chain API",
      version: "1.0.0",
      description:
        "Supply-chain finance on a verifiable ledger. Authenticate with an API key (Authorization: Bearer dck_…) created by your organisation's admin under Settings → API keys. " +
        "The key authenticates; it never signs: transactions carry your organisation's Ed25519 signature. Amounts are decimal strings of minor units (fen). Errors are RFC 9457 problem details.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key, scoped read and/or submit." } },
      schemas: { Problem: schemaOf(problemSchema, "output") },
    },
    paths,
  };
}
