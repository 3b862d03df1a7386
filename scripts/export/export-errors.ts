// Errors that stop an export without any verdict on a record: the CLI exits with code 2.
import { UsageError } from "../cli/usage-error.ts";

/** Bad arguments or unreadable input files. */
export class ExportUsageError extends UsageError {
  override name = "ExportUsageError";
}

/** The service or the output location could not be used (unreachable, refused key, 5xx, disk). */
export class ExportIoError extends Error {
  override name = "ExportIoError";
}
