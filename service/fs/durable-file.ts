// Files the service cannot afford to lose or to see half-written: keys, the deployment
// record, the notary profile. Each is written to a temporary file beside its target,
// fsynced, moved into place by rename (or link, when an existing file must win), and then
// the folder is fsynced, so that after a crash the name points either at nothing or at
// the whole, durable file, never at an empty or torn one.
import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface DurableWriteOptions {
  /** File mode of a new file (default 0o644). Secrets use 0o600. */
  mode?: number;
  /**
   * Only create: when `path` already exists, leave it as it is and return false. Two
   * processes racing to create the same file agree on one of them.
   */
  exclusive?: boolean;
}

/** Writes `contents` to `path` atomically and durably. Returns false when `exclusive` and the file existed. */
export async function writeFileDurably(
  path: string,
  contents: string | Uint8Array,
  options: DurableWriteOptions = {},
): Promise<boolean> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(temporary, "wx", options.mode ?? 0o644);
  try {
    await file.writeFile(contents);
    await file.sync();
  } finally {
    await file.close();
  }
  let created = true;
  try {
    if (options.exclusive) {
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        created = false;
      }
      await unlink(temporary);
    } else {
      await rename(temporary, path);
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
  return created;
}

/** fsync of a folder: makes a rename, link or unlink in it durable. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
