// The pack itself lives in src/pack (tested like the rest); this folder is what Pulumi loads,
// either through the Node.js language host (`pulumi preview --policy-pack <this folder>`) or
// through ./run-pack where no language host is installed. It runs the installed package
// (`vendorgate/pack`, found by Node's resolution from node_modules, or installed by the Pulumi CLI
// for a published pack from this folder's package.json); vendorgate's own tests set
// VENDORGATE_RUN_SOURCES=1 to run its TypeScript sources instead.
//
// Pulumi's pack runner require()s this module and calls what it exports if that is a function:
// a module with top-level await cannot be require()d, so the choice of entry waits for that call.
const entry = process.env.VENDORGATE_RUN_SOURCES === "1" ? "../../src/pack/pack.ts" : "vendorgate/pack";

async function start() {
  const { startPack } = await import(entry);
  await startPack();
}

export { start as "module.exports" };
