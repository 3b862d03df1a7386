// A mistake in a CLI's command line, shared by every script: each prints the message (and
// its usage where it has one) and exits 2.

/** A bad argument or option value. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A UsageError, or node:util parseArgs's own refusal of the arguments (ERR_PARSE_ARGS_*). */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    String((error as { code?: unknown } | null)?.code).startsWith("ERR_PARSE_ARGS")
  );
}
