// The one mapping from errors to HTTP answers (service/http/error-handler.ts), one code at a
// time: every code of the one table (service/core/errors.ts) answers its status, 5xx answers
// hide their detail, and every 503 carries Retry-After.
import { describe, expect, it } from "vitest";
import {
  ChainUnavailableError,
  ERROR_CODES,
  type ErrorCode,
  EvidenceError,
  InvalidArgumentError,
  InvariantError,
} from "../../service/core/errors.ts";
import { toHttpError } from "../../service/http/error-handler.ts";
import { OverloadedError, UnavailableError } from "../../service/service-errors.ts";

describe("error codes", () => {
  it("a misspelt code does not compile", () => {
    // @ts-expect-error: "not_fuond" is not an ErrorCode; tsc --noEmit (npm test) fails without this line.
    const misspelt = new EvidenceError("not_fuond", "typo");
    // At run time an unknown code is still not a silent 4xx: it is our bug, a 500.
    expect(toHttpError(misspelt).status).toBe(500);
  });

  it.each(Object.entries(ERROR_CODES))("%s answers %i in the one error shape", (code, status) => {
    const answer = toHttpError(
      new EvidenceError(code as ErrorCode, `message of ${code}`, { details: { x: 1 } }),
    );
    expect(answer.status).toBe(status);
    if (status < 500 || status === 503) {
      expect(answer.body).toEqual({ error: { code, message: `message of ${code}`, details: { x: 1 } } });
    } else {
      expect(answer.body).toEqual({ error: { code: "internal", message: "internal error" } });
    }
    if (status === 503) expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    else expect(answer.headers["retry-after"]).toBeUndefined();
  });

  it("every 503 carries Retry-After, chain_unavailable included", () => {
    const answers = [
      new OverloadedError("queue full", 3),
      new UnavailableError("database away", { retryAfterSeconds: 4 }),
      new ChainUnavailableError("chain away", { cause: new Error("ECONNREFUSED") }),
    ].map(toHttpError);
    expect(answers.map((a) => [a.status, a.headers["retry-after"]])).toEqual([
      [503, "3"],
      [503, "4"],
      [503, "2"],
    ]);
  });

  it("our bugs are 500 without detail; a thrown non-error too", () => {
    for (const error of [new InvariantError("tree broken"), new TypeError("x is undefined"), "thrown text"]) {
      expect(toHttpError(error)).toEqual({
        status: 500,
        body: { error: { code: "internal", message: "internal error" } },
        headers: {},
      });
    }
    expect(toHttpError(new InvalidArgumentError("invalid_digest", "bad digest")).status).toBe(400);
  });
});
