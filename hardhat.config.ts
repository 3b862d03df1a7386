import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on these machines, so we compile with the
// solc-js build shipped by the `solc` npm package (pinned in package.json).
const require = createRequire(import.meta.url);
const SOLC_VERSION: string = require("solc/package.json").version;

export default defineConfig({
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
    },
  },
});
