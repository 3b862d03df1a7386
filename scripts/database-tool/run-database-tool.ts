// The shell of a CLI that works on the service's own database (admin-key, vacuum-erased): it
// runs `main` and turns what can go wrong before anything was done (a bad option, a bad
// setting, no database, PGlite open elsewhere) into one line on stderr and exit code 2.

import { isUsageError } from "../cli/usage-error.ts";

/**
 * Sets process.exitCode from `main`, or 2 with a message when it throws. `name` prefixes the
 * messages; `nothing` says what was not done ("nothing was created").
 */
export async function runDatabaseTool(
  tool: {
    name: string;
    usage: string;
    nothing: string;
    refusals: ReadonlyArray<new (...args: never[]) => Error>;
  },
  main: (argv: string[]) => Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`${(error as Error).message}\n${tool.usage}`);
    } else if (tool.refusals.some((refusal) => error instanceof refusal)) {
      console.error(`${tool.name}: ${tool.nothing}: ${(error as Error).message}`);
    } else {
      console.error(`${tool.name} failed (${tool.nothing}): ${(error as Error).stack ?? error}`);
    }
    process.exitCode = 2;
  }
}
