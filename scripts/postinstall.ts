// npm skips optional dependencies whose `engines` do not match the Node that runs npm
// itself. On machines whose system Node is 20, that drops the native EDR binding that
// Hardhat 3 needs (it declares node >= 22), even though every npm script here runs on
// the Node 24 pinned in devDependencies. When that happened, re-run the install once
// on the pinned Node so npm sees a matching engine and installs the binding.
import { spawnSync } from "node:child_process";

const npmNode = /node\/v(\d+)/.exec(process.env.npm_config_user_agent ?? "")?.[1];
const npmCli = process.env.npm_execpath;

if (npmNode !== undefined && Number(npmNode) < 22 && npmCli && !process.env.EVIDENCE_NOTARY_REINSTALL) {
  console.log(
    `npm ran on Node ${npmNode}; reinstalling on the pinned Node ${process.version} for native bindings`,
  );
  const result = spawnSync(process.execPath, [npmCli, "install", "--no-audit", "--no-fund"], {
    stdio: "inherit",
    env: { ...process.env, EVIDENCE_NOTARY_REINSTALL: "1" },
  });
  process.exit(result.status ?? 1);
}
