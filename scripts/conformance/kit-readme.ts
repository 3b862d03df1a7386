// conformance/README.md, written by scripts/gen-conformance.ts from the recorded chains and
// the cases, so that its tables always say what the files hold.
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import type { KitExpectation } from "../gen-conformance.ts";

export type KitChains = Record<"notary" | "impostor", { profile: NotaryProfile; fingerprint: string }>;

export function renderKitReadme(chains: KitChains, cases: Array<KitExpectation & { name: string }>): string {
  const chainRows = (["notary", "impostor"] as const).map((name) => {
    const { profile, fingerprint } = chains[name];
    return `| \`chains/${name}\` | ${profile.name} | ${profile.chainId} | \`${profile.genesisHash}\` | \`${profile.contract}\` | \`${profile.codeHash}\` | \`${fingerprint}\` |`;
  });
  const caseRows = cases.map(
    (c) =>
      `| \`${c.name}\` | \`${c.rpc}\` | \`${c.notary}\` | ${c.exitCode} | ${c.verdict} | ${c.failed.map((f) => `\`${f}\``).join(", ") || "none"} | ${c.description} |`,
  );
  return `# Conformance kit for evidence-bundle/v1 verifiers

Written by \`node scripts/gen-conformance.ts\`; do not edit by hand. It lets anyone test a
verifier of [evidence bundles](../docs/evidence-format.md) against a **real chain**, every chain
check included, without the notarization service: two recorded chains that \`npm run chain\`
replays, and bundles, valid and forged, each with the verdict a verifier must reach.
\`docs/evidence-format.md\` section 16 explains how it fits with the file-level vectors in
\`test/vectors/\`.

## Layout

\`\`\`
chains/notary/      the notary's chain (a recorded DATA_DIR)
  notary.json         its notary profile: the trust root to pin
  chain/journal.jsonl every transaction, in order, with its block (replayed on start)
  chain/genesis.key   the key of the chain's genesis account (EDR takes genesis accounts by key)
  chain/deployment.json where the notary's EvidenceAnchor is
chains/impostor/    another chain with the same chain id 31337 and another genesis, whose
                    EvidenceAnchor sits at the notary's very address (the same deployer key and
                    nonce, as on a staging chain or a fork); same layout
cases/<name>/
  bundle.json         the evidence bundle
  record.json         the record, when the case has one
  expected.json       rpc: the chain to ask; notary: the profile to pin; exitCode, verdict,
                      failed and the status of every check (none for "unreadable": a file
                      the verifier must refuse to read, docs/evidence-format.md section 2)
\`\`\`

## Running it

From a checkout of this repository (\`npm install\` once), replay both chains. A read-only
replay serves the recorded chain on 127.0.0.1, refuses every transaction and writes nothing
in the kit:

\`\`\`sh
DATA_DIR=conformance/chains/notary   CHAIN_PORT=8545 npm run chain -- --read-only
DATA_DIR=conformance/chains/impostor CHAIN_PORT=8546 npm run chain -- --read-only
\`\`\`

Then, for each case, pin the profile \`expected.notary\`, ask the chain \`expected.rpc\`
(\`chains/notary\` on port 8545, \`chains/impostor\` on 8546), verify \`bundle.json\` (with
\`record.json\` when there is one), and compare with \`expected.json\`: the verdict (and exit
code, for a command-line verifier) and the status of each of the nine checks. Read the files
as bytes, as your verifier reads what it is given: some are not UTF-8, begin with a byte-order
mark or are nested 513 levels deep, and the verdict \`unreadable\` means your verifier must
refuse them and decide nothing (section 2 of the spec, "Reading a file"). Our own verifier,
for one case:

\`\`\`sh
npm run verify -- conformance/cases/look-alike/bundle.json \\
  --record conformance/cases/look-alike/record.json \\
  --rpc http://127.0.0.1:8545 --notary conformance/chains/notary/notary.json
\`\`\`

\`test/conformance/kit.test.ts\` does exactly this for every case, with \`npm run verify --
--json\`, and checks that regenerating the kit gives the same bytes.

## The chains

| data directory | notary name | chain id | genesis block hash | EvidenceAnchor | code hash | profile fingerprint |
| --- | --- | --- | --- | --- | --- | --- |
${chainRows.join("\n")}

The two contracts have the same address and the same code: only the genesis block (and the
deployment block after it) tells the chains apart, which is what the \`notary\` check compares.

## The cases

| case | ask | pin | exit | verdict | failed checks | what it is |
| --- | --- | --- | --- | --- | --- | --- |
${caseRows.join("\n")}

## Keys

The keys of these chains are derived from public strings (see \`scripts/conformance/record-chain.ts\`):
they protect nothing, and a recorded kit chain is for testing only. Only the genesis key, which
a replay needs, is shipped; a read-only replay accepts no transaction from anyone.
`;
}
