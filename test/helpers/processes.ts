// Child processes for tests: start a script on the pinned Node, wait for a line, kill it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Started {
  child: ChildProcess;
  match: RegExpExecArray;
  output: () => string;
}

/** Spawns `node <script> [args…]` in the repo root and resolves once stdout/stderr matches `ready`. */
export function startScript(
  scriptAndArgs: string | readonly string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<Started> {
  const [script, ...args] = typeof scriptAndArgs === "string" ? [scriptAndArgs] : scriptAndArgs;
  const child = spawn(process.execPath, [script as string, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not become ready in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** Sends `signal` and resolves with the exit code (or signal name) once the process is gone. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? (child.signalCode as string));
  }
  return new Promise((resolve) => {
    child.once("exit", (code, sig) => resolve(code ?? (sig as string)));
    child.kill(signal);
  });
}

export interface ScriptRun {
  /** Exit code; -1 when killed (e.g. after timeoutMs). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <script> ...args` in the repo root to its end. Asynchronous on purpose: the
 * chain or service the script talks to may be running in this very process.
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<ScriptRun> {
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) childEnv[name] = value; // undefined in `env` removes the variable
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: REPO_ROOT, env: childEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A local port nothing listens on (bound to a free one, then closed): for "unreachable" tests. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
