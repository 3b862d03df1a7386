// Reading a case's evidence from a running Evidence Notary over its HTTP API, with a reader
// key. The export goes through the API, not the database: an embedded PGlite database can be
// open in one process only (the service), and the API already assembles and checks bundles.
//
// Anything that says nothing about a record (unreachable service, wrong key, a 5xx) is an
// ExportIoError; what the service says about one record (pending, unknown, erased) is an
// answer, returned as such.
import type { Bundle } from "../../service/core/bundle.ts";
import { type NotaryProfile, parseNotaryProfile } from "../../service/core/notary-profile.ts";
import { ExportIoError } from "./export-errors.ts";

/** One record as GET /v1/records lists it (the fields the export uses). */
export interface ListedRecord {
  id: string;
  /** An erased record is listed too; its bundle then answers 410, which the case reports. */
  status: "pending" | "anchored" | "erased";
  receivedAt: string;
}

export type BundleAnswer =
  | { status: "anchored"; bundle: Bundle }
  | { status: "pending" }
  | { status: "unavailable"; reason: string };

export type CertificateAnswer = { status: "ok"; html: string } | { status: "unavailable"; reason: string };

export interface NotaryClient {
  /** The service's notary profile (GET /v1/notary), validated. */
  fetchNotary(): Promise<NotaryProfile>;
  /** The record's evidence bundle; `waitSeconds` long-polls a pending record (0 to 60). */
  fetchBundle(id: string, waitSeconds: number): Promise<BundleAnswer>;
  fetchCertificate(id: string): Promise<CertificateAnswer>;
  /** Every record received in [from, to), oldest first, page by page. */
  listReceived(from: Date, to: Date): AsyncGenerator<ListedRecord>;
}

const PAGE_SIZE = 500;

export function createNotaryClient(baseUrl: string, apiKey: string, timeoutMs = 90_000): NotaryClient {
  const base = baseUrl.replace(/\/+$/, "");

  async function get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ExportIoError(
        `cannot reach the Evidence Notary at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new ExportIoError(
        `the Evidence Notary at ${base} refused the API key (${response.status}): ${await errorMessage(response)}; a reader key is needed`,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ExportIoError(
        `the Evidence Notary at ${base} answered ${response.status} for ${path}: ${await errorMessage(response)}`,
      );
    }
    return response;
  }

  const recordPath = (id: string) => `/v1/records/${encodeURIComponent(id)}`;

  return {
    async fetchNotary() {
      const response = await get("/v1/notary");
      if (response.status !== 200) {
        throw new ExportIoError(
          `the Evidence Notary at ${base} has no notary profile (GET /v1/notary answered ${response.status}: ${await errorMessage(response)})`,
        );
      }
      try {
        return parseNotaryProfile(await response.json());
      } catch (error) {
        throw new ExportIoError(`the notary profile of ${base} is not valid: ${(error as Error).message}`);
      }
    },

    async fetchBundle(id, waitSeconds) {
      const response = await get(`${recordPath(id)}/proof?wait=${waitSeconds}`);
      if (response.status === 200) return { status: "anchored", bundle: (await response.json()) as Bundle };
      if (response.status === 202) {
        await response.body?.cancel();
        return { status: "pending" };
      }
      return { status: "unavailable", reason: await errorMessage(response) };
    },

    async fetchCertificate(id) {
      const response = await get(`${recordPath(id)}/certificate`);
      const type = response.headers.get("content-type") ?? "";
      if (response.status === 200 && type.startsWith("text/html")) {
        return { status: "ok", html: await response.text() };
      }
      if (response.status === 202) {
        await response.body?.cancel();
        return { status: "unavailable", reason: "the record is not anchored yet" };
      }
      return {
        status: "unavailable",
        reason: `GET ${recordPath(id)}/certificate answered ${response.status}: ${await errorMessage(response)}`,
      };
    },

    async *listReceived(from, to) {
      let after: number | null = null;
      for (;;) {
        const query = new URLSearchParams({
          receivedFrom: from.toISOString(),
          receivedTo: to.toISOString(),
          limit: String(PAGE_SIZE),
        });
        if (after !== null) query.set("after", String(after));
        const response = await get(`/v1/records?${query}`);
        if (response.status !== 200) {
          throw new ExportIoError(
            `cannot list records received from ${from.toISOString()} to ${to.toISOString()}: ${response.status} ${await errorMessage(response)}`,
          );
        }
        const page = (await response.json()) as { records: ListedRecord[]; next: number | null };
        yield* page.records;
        if (page.next === null) return;
        after = page.next;
      }
    },
  };
}

/** The message of an `{error:{code,message}}` body, or the raw text. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return body.error?.message ?? text;
  } catch {
    return text.slice(0, 200) || response.statusText;
  }
}
