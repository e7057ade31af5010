/**
 * dependency-cruiser, run by `npm run lint` after ESLint: refuses any import cycle, between
 * files or between rooms, type-only imports included (a cycle of types still ties two files
 * together). Which room may import which is ESLint's job (eslint-plugin-boundaries in
 * eslint.config.mjs); this sees the whole graph at once, which a per-file lint rule cannot
 * do cheaply.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment: "An import cycle: these modules import each other, directly or through others. Move what both need into the room below them.",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|data|test-results|playwright-report|db/migrations)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".mjs", ".js", ".cjs", ".json"],
    },
  },
};
