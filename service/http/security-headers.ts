// Security headers on every answer, computed once. helmet (a well-kept library) decides what
// they are from its options; the Fastify plugin ran helmet's whole middleware on every
// request, its options parsed and its CSP built anew each time (about 4% of the service's
// CPU for a single-record submission, measured with --cpu-prof). The options never change,
// so the headers helmet sets are taken once and set as they are.
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";

/** The headers helmet sets with `options`, lowercased names. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}
