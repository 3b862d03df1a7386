// The routes the service documents in its OpenAPI description, as "METHOD /path/:param":
// tests that must cover every route compare their tables with this list, so a new route
// without a row fails them.
import { expect } from "vitest";
import type { TestService } from "./service.ts";

export async function documentedRoutes(call: TestService["call"]): Promise<Set<string>> {
  const doc = await call("GET", "/docs/json");
  expect(doc.status).toBe(200);
  return new Set(
    Object.entries(doc.json.paths as Record<string, object>).flatMap(([path, operations]) =>
      Object.keys(operations).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    ),
  );
}
