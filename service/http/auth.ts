// Bearer API keys and roles. Every /v1 call is authenticated first (authenticateKey, before
// the rate limit); every /v1 route declares the roles it accepts (requireRole), admin is
// accepted everywhere. No valid key: 401. A valid key of the wrong role: 403.
import type { FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from "fastify";
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
 * valid key has no `request.apiKey`, and its route's `requireRole` answers 401. A callback
 * hook, and a key the authenticator holds in memory is taken without a promise: this runs on
 * every call (issue 12).
 */
export function authenticateKey(authenticator: ApiKeyAuthenticator): onRequestHookHandler {
  return (request, _reply, done) => {
    const token = bearerToken(request);
    const known = token === undefined ? null : authenticator.known(token);
    if (known !== undefined) {
      if (known !== null) request.apiKey = known;
      return done();
    }
    authenticator.authenticate(token as string).then((key) => {
      if (key !== null) request.apiKey = key;
      done();
    }, done);
  };
}

/** A preHandler that admits keys of `roles` (and admin keys), as authenticated by `authenticateKey`. */
export function requireRole(roles: RouteRoles): preHandlerHookHandler {
  return (request, _reply, done) => {
    const key = request.apiKey;
    if (key === undefined) return done(new UnauthorizedError());
    if (key.role !== "admin" && !roles.includes(key.role)) {
      return done(
        new ForbiddenError(`this API key has role "${key.role}"; this call needs ${roles.join(" or ")}`),
      );
    }
    done();
  };
}
