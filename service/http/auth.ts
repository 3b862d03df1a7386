// Bearer API keys and roles. Every /v1 call is authenticated first (authenticateKey, before
// the rate limit); every /v1 route declares the roles it accepts (requireRole), admin is
// accepted everywhere. No valid key: 401. A valid key of the wrong role: 403.
import type {
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from "fastify";
import type { ApiKey, ApiKeyRole } from "../db/api-keys.ts";
import type { ApiKeyAuthenticator } from "../keys/api-keys.ts";
import { ForbiddenError, UnauthorizedError } from "../service-errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

export type RouteRoles = readonly Exclude<ApiKeyRole, "admin">[];

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * An onRequest hook: authenticates the bearer key, if any, before anything else reads the
 * request (the rate limit keys on the result). Never refuses by itself; a call without a
 * valid key has no `request.apiKey`, and its route's `requireRole` answers 401.
 */
export function authenticateKey(authenticator: ApiKeyAuthenticator): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request);
    const key = token === undefined ? null : await authenticator.authenticate(token);
    if (key !== null) request.apiKey = key;
  };
}

/** A preHandler that admits keys of `roles` (and admin keys), as authenticated by `authenticateKey`. */
export function requireRole(roles: RouteRoles): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const key = request.apiKey;
    if (key === undefined) throw new UnauthorizedError();
    if (key.role !== "admin" && !roles.includes(key.role)) {
      throw new ForbiddenError(`this API key has role "${key.role}"; this call needs ${roles.join(" or ")}`);
    }
  };
}
