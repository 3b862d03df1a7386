// File names inside a case export. A record id is 1-128 visible ASCII characters and may hold
// characters a file system refuses or treats specially (/ \ : * ? " < > | %, a leading dot),
// so every character outside [A-Za-z0-9_-] and dots after the first character is written
// as %XX (uppercase hex). The mapping is one to one, and manifest.json pairs every id with
// its files anyway.
export function fileStem(id: string): string {
  return id.replace(
    /[^A-Za-z0-9_.-]|^\./g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

export function recordFiles(id: string): { bundle: string; record: string; certificate: string } {
  const stem = fileStem(id);
  return {
    bundle: `${stem}.bundle.json`,
    record: `${stem}.record.json`,
    certificate: `${stem}.certificate.html`,
  };
}

/** Files every export holds next to the per-record files. */
export const CASE_FILES = {
  readme: "README.txt",
  manifest: "manifest.json",
  sums: "SHA256SUMS",
  format: "evidence-format.md",
  schema: "evidence-bundle.schema.json",
  notary: "notary.json",
  notarySchema: "notary-profile.schema.json",
} as const;
