// Anchoring on a free-gas chain, such as Besu with min-gas-price=0: the node quotes a gas
// price of 0, anchors go out as legacy transactions at gas price 0, and an account with no
// balance at all anchors. The chain is a real Hardhat (EDR) network with a base fee of 0,
// which accepts such transactions; its JSON-RPC endpoint answers eth_gasPrice and
// eth_maxPriorityFeePerGas with 0, as Besu does (no Hardhat setting makes EDR quote 0; it
// always suggests 1 gwei). The same chain, quoted as Hardhat quotes it, leaves the same
// account unable to pay: no_funds, and nothing is sent.
import { JsonRpcProvider, Wallet } from "ethers";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import { afterAll, beforeAll, expect, it } from "vitest";
import { anchorStep } from "../../service/anchorer/anchor-step.ts";
import { checkAnchoringSetup } from "../../service/anchorer/start-checks.ts";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { AnchorClient, DEFAULT_GAS_PERCENT } from "../../service/chain/anchor-client.ts";
import { deployEvidenceAnchor } from "../../service/chain/deploy-anchor.ts";
import type { Deployment } from "../../service/chain/deployment.ts";
import { describeNotary } from "../../service/chain/describe-notary.ts";
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { newRecord } from "../db/bytes.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.ts";

const CHAIN_ID = 1337;

forEachDatabase((target) => {
  const deployer = new Wallet(Wallet.createRandom().privateKey);
  const anchorer = new Wallet(Wallet.createRandom().privateKey); // never funded
  let closeNode: () => Promise<void>;
  let besuLike: RpcProxy;
  let hardhatLike: RpcProxy;
  const providers: JsonRpcProvider[] = [];
  let deployment: Deployment;
  let profile: NotaryProfile;
  let db: Database;
  const sealOne = async (id: string) => {
    await appendEntries(db, [newRecord(id)]);
    return sealBatch(db, 10);
  };

  const connect = (url: string) => {
    const provider = new JsonRpcProvider(url, CHAIN_ID, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 50,
    });
    providers.push(provider);
    return provider;
  };
  const clientOn = (proxy: RpcProxy) =>
    new AnchorClient(connect(proxy.url), deployment.contract, CHAIN_ID, anchorer);

  beforeAll(async () => {
    const hre = await createHardhatRuntimeEnvironment({
      networks: {
        free: {
          type: "edr-simulated",
          chainId: CHAIN_ID,
          hardfork: "cancun",
          initialBaseFeePerGas: 0,
          minGasPrice: 0,
          accounts: [{ privateKey: deployer.privateKey, balance: 10n ** 20n }],
        },
      },
    });
    const node = await hre.network.connect({ network: "free" });
    closeNode = () => node.close();
    besuLike = await startRpcProxy(node.provider, {
      answer: (method) =>
        method === "eth_gasPrice" || method === "eth_maxPriorityFeePerGas" ? "0x0" : undefined,
    });
    hardhatLike = await startRpcProxy(node.provider);
    const provider = connect(besuLike.url);
    deployment = await deployEvidenceAnchor(deployer.connect(provider), {
      admin: deployer.address,
      anchorer: anchorer.address,
      chainId: CHAIN_ID,
    });
    profile = await describeNotary(provider, deployment, { name: "free gas", anchorers: [anchorer.address] });
    ({ db } = await target.create());
  });
  afterAll(async () => {
    for (const provider of providers) provider.destroy();
    await besuLike?.close();
    await hardhatLike?.close();
    await closeNode?.();
  });

  it("anchors with a legacy transaction at gas price 0 from an account that holds nothing", async () => {
    const client = clientOn(besuLike);
    expect(await client.balance()).toBe(0n);
    expect(await checkAnchoringSetup(client, profile, DEFAULT_GAS_PERCENT)).toBeUndefined();

    const sealed = await sealOne("free-1");
    const outcome = await anchorStep({
      db,
      client,
      confirmations: 1,
      timeoutMs: 5_000,
      expectedCodeHash: profile.codeHash,
    });
    expect(outcome).toMatchObject({ kind: "anchored", seq: sealed?.seq });
    if (outcome.kind !== "anchored") throw new Error("unreachable");

    const tx = await client.provider.getTransaction(outcome.inclusion.txHash);
    expect(tx).toMatchObject({ type: 0, gasPrice: 0n, from: anchorer.address });
    // Estimated, not a fixed limit: the first anchor costs about 93k gas.
    expect(tx?.gasLimit).toBeGreaterThan(90_000n);
    expect(tx?.gasLimit).toBeLessThan(125_000n);
    expect(await client.balance()).toBe(0n);
    expect(await client.nextSeq()).toBe(1);
  });

  it("where gas has a price, the same account cannot pay: no_funds, and nothing is sent", async () => {
    const client = clientOn(hardhatLike);
    const setup = await checkAnchoringSetup(client, profile, DEFAULT_GAS_PERCENT);
    expect(setup).toMatchObject({ cause: "no_funds", needsOperator: true });
    expect(setup?.message).toContain(`account ${anchorer.address.toLowerCase()} holds 0.0 ETH`);

    const sealed = await sealOne("paid-1");
    const minedBefore = await client.minedNonce();
    const outcome = await anchorStep({ db, client, confirmations: 1, timeoutMs: 5_000 });
    expect(outcome).toMatchObject({ kind: "failed", seq: sealed?.seq, failure: { cause: "no_funds" } });
    expect(await client.minedNonce()).toBe(minedBefore);
  });
});
