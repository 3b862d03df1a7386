import { readFile } from "node:fs/promises";
import type { InterfaceAbi } from "ethers";
import type { Hex } from "../core/hex.ts";

const ARTIFACT_URL = new URL(
  "../../artifacts/contracts/EvidenceAnchor.sol/EvidenceAnchor.json",
  import.meta.url,
);

export interface AnchorArtifact {
  abi: InterfaceAbi;
  bytecode: Hex;
}

/** Reads the compiled EvidenceAnchor artifact written by `hardhat build` (run by `npm start` and `npm test`). */
export async function readAnchorArtifact(): Promise<AnchorArtifact> {
  let text: string;
  try {
    text = await readFile(ARTIFACT_URL, "utf8");
  } catch (cause) {
    throw new Error("EvidenceAnchor artifact not found: run `npm run build` (hardhat build) first", {
      cause,
    });
  }
  const artifact = JSON.parse(text) as AnchorArtifact;
  return { abi: artifact.abi, bytecode: artifact.bytecode };
}
