// Runs one autocannon job in a child process (autocannon-worker.ts) and returns its summary.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AutocannonJob, AutocannonSummary } from "./autocannon-worker.ts";

const WORKER = fileURLToPath(new URL("./autocannon-worker.ts", import.meta.url));

export function runAutocannon(job: AutocannonJob): Promise<AutocannonSummary> {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const limit = setTimeout(
    () => child.kill("SIGKILL"),
    (job.durationSeconds + job.warmupSeconds + 60) * 1000,
  );
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      clearTimeout(limit);
      const last = out.trim().split("\n").pop();
      if (code !== 0 || last === undefined || last === "") {
        reject(new Error(`autocannon worker exited ${code}:\n${err.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(last) as AutocannonSummary);
    });
  });
}
