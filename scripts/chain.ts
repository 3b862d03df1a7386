// `npm run chain [-- --read-only]`: run the local permissioned chain (Hardhat/EDR) on
// 127.0.0.1:CHAIN_PORT, with its history journaled in DATA_DIR/chain so that it survives
// restarts. CHAIN_ALLOWED_SENDERS adds accounts that may send transactions (each is funded
// from the chain's genesis account). When the journal cannot be written, the chain stops:
// one line on stderr, exit code 1; start it again to replay what is durable.
//
// --read-only replays a recorded DATA_DIR (such as a chain of the conformance kit,
// conformance/chains/*) and serves it: every transaction is refused, and nothing in DATA_DIR
// is created or changed.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseAllowedSenders } from "../service/config.ts";
import { formatFingerprint, notaryFingerprint } from "../service/core/notary-profile.ts";
import { startLocalChain } from "../service/local-chain/local-chain.ts";

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number between 0 and 65535, got "${raw}"`);
    process.exit(2);
  }
  return port;
}

let readOnly = false;
try {
  readOnly = parseArgs({ options: { "read-only": { type: "boolean", default: false } } }).values["read-only"];
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run chain [-- --read-only]`);
  process.exit(2);
}
const dataDir = resolve(process.env.DATA_DIR || "./data");
const port = envPort("CHAIN_PORT", 8545);
const host = process.env.CHAIN_HOST || "127.0.0.1";
const allowed = parseAllowedSenders(process.env.CHAIN_ALLOWED_SENDERS);
if (allowed.problems.length > 0) {
  for (const problem of allowed.problems) console.error(problem);
  process.exit(2);
}

try {
  const chain = await startLocalChain({
    dataDir,
    port,
    host,
    allowedSenders: allowed.addresses,
    readOnly,
    log: (line) => console.log(line),
  });
  const d = chain.deployment;
  console.log(`local chain ready at ${chain.url} (chain id ${d.chainId})`);
  console.log(`  EvidenceAnchor ${d.contract} (deployed in block ${d.blockNumber} by ${d.deployer})`);
  console.log(
    `  notary profile "${chain.notary.name}", fingerprint ${formatFingerprint(notaryFingerprint(chain.notary))}`,
  );
  if (readOnly) {
    console.log(`  read-only replay of ${dataDir}: every transaction is refused, nothing there is written`);
  } else {
    console.log(`  accounts allowed to send: ${chain.allowedSenders.join(", ")}`);
    console.log(`  journal and deployment in ${dataDir}/chain; stop with Ctrl-C, history is kept`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping local chain`);
    await chain.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  void chain.stopped.then((error) => {
    console.error(error.message);
    // A moment for the answers in flight (each an error now) to reach their clients.
    setTimeout(() => process.exit(1), 200);
  });
} catch (error) {
  console.error(`local chain failed to start: ${(error as Error).message}`);
  process.exit(1);
}
