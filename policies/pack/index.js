// The pack itself lives in src/pack (tested like the rest); this folder is what Pulumi loads,
// either through the Node.js language host (`pulumi preview --policy-pack <this folder>`) or
// through ./run-pack where no language host is installed. It runs the package's compiled
// JavaScript; vendorgate's own tests set VENDORGATE_RUN_SOURCES=1 to run its TypeScript sources.
const { startPack } = await import(process.env.VENDORGATE_RUN_SOURCES === "1" ? "../../src/pack/pack.ts" : "../../dist/pack/pack.js");

startPack();
