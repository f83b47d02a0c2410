// The pack itself lives in src/pack (tested like the rest); this folder is what Pulumi loads,
// either through the Node.js language host (`pulumi preview --policy-pack policies/pack`) or
// through ./run-pack where no language host is installed.
import { startPack } from "../../src/pack/pack.ts";

startPack();
