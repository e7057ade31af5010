/*
 * A readable reference of /api/v1, rendered on the server from the OpenAPI document itself
 * (no script, no CDN): every operation with its scope, parameters and answers.
 */

type Json = Record<string, unknown>;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function operationHtml(path: string, method: string, op: Json): string {
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  const responses = Object.entries(op.responses as Record<string, Json>);
  const body = op.requestBody ? "<p><b>Body</b>: application/json (schema in openapi.json)</p>" : "";
  return `<section id="${escape(String(op.operationId))}">
<h3><code>${method.toUpperCase()} /api/v1${escape(path)}</code></h3>
<p>${escape(String(op.summary))} <small>(scope: <code>${escape(String(op["x-scope"]))}</code>)</small></p>
${parameters.length ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>${parameters.map((p) => `<tr><td><code>${escape(String(p.name))}</code></td><td>${escape(String(p.in))}</td><td>${p.required ? "yes" : "no"}</td><td><code>${escape(JSON.stringify(p.schema))}</code></td></tr>`).join("")}</table>` : ""}
${body}
<ul>${responses.map(([status, r]) => `<li><b>${status}</b> ${escape(String(r.description))}</li>`).join("")}</ul>
</section>`;
}

export function referencePage(document: Json): string {
  const info = document.info as Json;
  const paths = Object.entries(document.paths as Record<string, Record<string, Json>>);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(String(info.title))}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:0 .2rem;border-radius:3px;word-break:break-all}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}section{border-top:1px solid #e5e7eb;padding:.5rem 0}</style>
</head><body><h1>${escape(String(info.title))} v${escape(String(info.version))}</h1>
<p>${escape(String(info.description))}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${paths.map(([path, ops]) => Object.entries(ops).map(([method, op]) => operationHtml(path, method, op)).join("")).join("")}
</body></html>`;
}
