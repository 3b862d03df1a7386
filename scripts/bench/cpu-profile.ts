// `--profile`: the service process runs with --cpu-prof, and its profile (written when it
// exits) is summed up by where the CPU time went: by package for dependencies, by file for
// our own code, by module for Node's own (node:…), by function for native code, and V8's
// buckets ((garbage collector), (program)); idle time left out. The profile covers the
// process's whole life, start-up (local chain, contract deployment) included.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

/** The bucket a frame's time is counted in. */
function whereOf(url: string, functionName: string): string {
  if (url === "")
    return functionName.startsWith("(") ? functionName : `${functionName || "anonymous"} (native)`;
  if (url.startsWith("node:")) return url;
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const service = url.indexOf("/service/");
  return service >= 0 ? url.slice(service + 1) : url;
}

/** Share of busy (non-idle) samples per bucket, largest first. */
export async function summarizeProfile(
  dir: string,
  top = 10,
): Promise<Array<{ where: string; percent: number }>> {
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}: did the service exit cleanly?`);
  const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as { nodes: ProfileNode[] };
  const hits = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const where = whereOf(node.callFrame.url, node.callFrame.functionName);
    const count = node.hitCount ?? 0;
    if (where === "(idle)" || count === 0) continue;
    hits.set(where, (hits.get(where) ?? 0) + count);
    busy += count;
  }
  return [...hits.entries()]
    .map(([where, count]) => ({ where, percent: (100 * count) / busy }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, top);
}

export function describeProfile(summary: Array<{ where: string; percent: number }>): string {
  return summary.map((s) => `${s.where} ${s.percent.toFixed(0)}%`).join(", ");
}
