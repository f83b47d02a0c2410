// The architecture as a lint check (`npm test` runs it): no import cycles, and no layer imports a
// layer above it. Layers, lowest first; a folder may import its own layer and any below it.
// Every folder (and top-level module) of src/ is in exactly one layer: test/architecture.test.ts
// checks that, and docs/architecture.md says what each owns.
export const layers = [
  ["runtime"], // the run-time guard: imports nothing else of ours (browser bundles)
  ["paths", "errors", "text"],
  ["model"],
  ["engine", "project", "pulumi", "registry"],
  ["policy"],
  ["report", "components"],
  ["stack", "sources"],
  ["plan", "pack", "runner", "diff", "audit"],
  ["commands", "init"],
  ["cli", "index"],
];
const folder = (name) => `^src/${name}(/|\\.ts$)`;
const upward = layers.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer[0]}`,
  comment: `${layer.join(", ")} may not import a higher layer (${layers.slice(i + 1).flat().join(", ")})`,
  severity: "error",
  from: { path: layer.map(folder).join("|") },
  to: { path: layers.slice(i + 1).flat().map(folder).join("|") },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "import cycles hide which module owns what", from: {}, to: { circular: true } },
    {
      name: "runtime-stands-alone",
      severity: "error",
      comment: "vendorgate/runtime ships to browsers: no Pulumi, no engine, nothing else of ours",
      from: { path: "^src/runtime/" },
      to: { path: "^src/(?!runtime/)|@pulumi|@open-policy-agent" },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
