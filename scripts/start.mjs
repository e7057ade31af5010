#!/usr/bin/env node
/*
 * npm start: the built app in production.
 *  - With DATABASE_URL and haproxy installed: N instances of the app (INSTANCES, else one
 *    per core) on loopback ports PORT+1..PORT+N, behind haproxy on PORT (3000 by default),
 *    all on the one PostgreSQL. haproxy checks each instance's /readyz every second and sends
 *    nothing to one that is down or not ready; a connection refused is retried on another
 *    instance. An instance that exits is started again after a second. /metrics is not
 *    served through the balancer: scrape each instance on its own port.
 *  - Otherwise (PGlite allows one process; or INSTANCES=1; or no haproxy): one instance on PORT.
 * An instance is scripts/serve.ts (Next's custom-server pattern: /api/trpc/* on plain node:http
 * with tRPC's standalone adapter, everything else through Next's handler); APP_SERVER=next runs
 * plain `next start` instead (every request through Next's pipeline: the bench's comparison).
 * Each instance's lines are prefixed with "[app N]"; the supervisor's own lines with "[start]".
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const SERVE = path.join(ROOT, "scripts", "serve.ts");
/** The command line (after node) of one instance on port and host. */
const appArgs = (port, host) =>
  process.env.APP_SERVER === "next" ? [NEXT_BIN, "start", "-p", String(port), "-H", host] : ["--import", "tsx", SERVE, "-p", String(port), "-H", host];
const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? "0.0.0.0";
const wanted = process.env.INSTANCES ? Number(process.env.INSTANCES) : os.availableParallelism();
const haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].find((p) => fs.existsSync(p)) ?? null;
const say = (line) => console.log(`[start] ${line}`);
/** An instance's exit status when it refuses its configuration (server/seed/production-guard.ts EXIT_CONFIG). */
const EXIT_CONFIG = 78;

if (!Number.isInteger(wanted) || wanted < 1 || wanted > 64) {
  console.error(`[start] INSTANCES must be an integer from 1 to 64, not ${process.env.INSTANCES}`);
  process.exit(2);
}

if (!process.env.DATABASE_URL || wanted === 1 || !haproxy) {
  if (!process.env.DATABASE_URL && wanted > 1 && process.env.INSTANCES) say("no DATABASE_URL: the embedded database allows one process, so one instance");
  if (process.env.DATABASE_URL && wanted > 1 && !haproxy) say("haproxy is not installed (apt-get install -y haproxy): one instance");
  const child = spawn(process.execPath, appArgs(PORT, HOST), { stdio: "inherit", cwd: ROOT });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  runBalanced(wanted);
}

function runBalanced(count) {
  const ports = Array.from({ length: count }, (_, i) => PORT + 1 + i);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "double-chain-haproxy-"));
  const config = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(config, haproxyConfig(ports));
  const check = spawnSync(haproxy, ["-c", "-q", "-f", config], { encoding: "utf8" });
  if (check.status !== 0) {
    console.error(`[start] haproxy refused its configuration:\n${check.stderr}`);
    process.exit(1);
  }
  let stopping = false;
  const children = new Set();

  const startInstance = (index) => {
    const port = ports[index];
    const child = spawn(process.execPath, appArgs(port, "127.0.0.1"), {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, INSTANCE: String(index + 1) },
    });
    children.add(child);
    say(`instance ${index + 1} pid ${child.pid} port ${port}`);
    prefix(child, `[app ${index + 1}] `);
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (stopping) return;
      if (code === EXIT_CONFIG) {
        // It refused its configuration (the production guard, instrumentation.ts): starting it again would refuse again.
        console.error(`[start] instance ${index + 1} refused to start (its reasons are above); stopping`);
        stop(EXIT_CONFIG);
        return;
      }
      say(`instance ${index + 1} (pid ${child.pid}) exited (${signal ?? code}); starting it again in 1 s`);
      setTimeout(() => !stopping && startInstance(index), 1000);
    });
  };

  ports.forEach((_, index) => startInstance(index));
  const balancer = spawn(haproxy, ["-db", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(balancer);
  prefix(balancer, "[haproxy] ");
  say(`haproxy pid ${balancer.pid} on ${HOST}:${PORT} in front of ${count} instances (${ports.join(", ")})`);
  balancer.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`[start] haproxy exited (${signal ?? code}); stopping`);
    stop(1);
  });

  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    setTimeout(() => {
      for (const child of children) child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    }, 5000).unref();
    const done = setInterval(() => {
      if (children.size > 0) return;
      clearInterval(done);
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    }, 100);
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
}

function prefix(child, label) {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let rest = "";
    stream.on("data", (chunk) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) out.write(`${label}${line}\n`);
    });
  }
}

/** One frontend on PORT; the instances as one backend, checked on /readyz; X-Request-Id set when the client sent none. */
function haproxyConfig(ports) {
  const bind = HOST === "0.0.0.0" ? `*:${PORT}` : `${HOST}:${PORT}`;
  return `global
  maxconn 4096

defaults
  mode http
  option redispatch
  retries 3
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  # A check waits like a request: under a saturating load /readyz queues behind the requests
  # before it, and a 1 s check timeout (the default, inter) took every busy instance out at
  # once ("no server is available": 503 to everyone). Down means refused or failing, not busy.
  timeout check 10s

frontend web
  bind ${bind}
  unique-id-format %[uuid()]
  http-request set-header X-Request-Id %[unique-id] unless { req.hdr(x-request-id) -m found }
  http-request deny deny_status 404 if { path /metrics }
  default_backend app

backend app
  balance leastconn
  option httpchk
  http-check send meth GET uri /readyz
  default-server inter 1s fall 3 rise 1
${ports.map((port, i) => `  server app${i + 1} 127.0.0.1:${port} check`).join("\n")}
`;
}
