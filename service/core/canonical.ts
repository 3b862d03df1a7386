// Record -> RFC 8785 (JCS) bytes -> digest.
//
//   digest = SHA-256(UTF-8(JCS(record)))
//
// JCS fixes one byte sequence per JSON value: object members sorted by their keys' UTF-16
// code units, no whitespace, numbers in ECMAScript Number.prototype.toString form (so 1e21
// is "1e+21", -0 is "0") and minimal string escapes. The `canonicalize` package does the
// serializing. It follows JSON.stringify for values JSON cannot hold (it drops undefined,
// calls toJSON, turns a Date into a string), and those would give a digest of something
// other than what the caller meant, so we walk the value first and refuse anything that is
// not plain JSON (RFC 8785 section 3.1 requires I-JSON: finite numbers, well-formed Unicode).
//
// Pure: no node: imports, so the same code runs in the verify page of a browser (the SHA-256
// is the platform's, platform.ts).
import serializeJcs from "canonicalize";
import { InvalidArgumentError } from "./errors.ts";
import { sha256 } from "./platform.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deeper nesting is refused rather than risk the stack; no evidence record needs it. */
export const MAX_DEPTH = 256;

const encoder = new TextEncoder();
// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** UTF-8 JCS bytes of `record`, which must be a plain JSON object. */
export function canonicalize(record: unknown): Uint8Array {
  assertJsonObject(record);
  const text = serializeJcs(record);
  if (text === undefined) throw notCanonicalizable("$", "JCS produced no output");
  return encoder.encode(text);
}

/** SHA-256 of the JCS bytes of `record` (32 bytes). */
export function digestRecord(record: unknown): Uint8Array {
  return digestCanonical(canonicalize(record));
}

/** The digest of JCS bytes from `canonicalize` (for a caller that also needs their length). */
export function digestCanonical(jcs: Uint8Array): Uint8Array {
  return sha256(jcs);
}

/** Throws InvalidArgumentError (code `record_not_canonicalizable`) unless `value` is a plain JSON object. */
export function assertJsonObject(value: unknown): asserts value is JsonObject {
  if (!isPlainObject(value)) {
    throw notCanonicalizable("$", `a record must be a JSON object, got ${describe(value)}`);
  }
  try {
    assertJsonValue(value, []);
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    throw notCanonicalizable(`$${error.segments.reverse().join("")}`, error.problem);
  }
}

/** Where a value fails: its path is built on the way out, so a value that passes builds none. */
class NotJson {
  readonly problem: string;
  readonly segments: string[] = [];
  constructor(problem: string) {
    this.problem = problem;
  }
}

/** `ancestors`: the objects and arrays above `value`, outermost first. */
function assertJsonValue(value: unknown, ancestors: object[]): void {
  switch (typeof value) {
    case "string":
      if (LONE_SURROGATE.test(value)) throw new NotJson("string contains a lone surrogate");
      return;
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new NotJson(`${value} is not a finite number`);
      return;
    case "object":
      break;
    default:
      throw new NotJson(`${describe(value)} has no JSON form`);
  }
  if (value === null) return;
  if (ancestors.includes(value)) throw new NotJson("circular reference");
  if (ancestors.length >= MAX_DEPTH) throw new NotJson(`nested deeper than ${MAX_DEPTH} levels`);
  ancestors.push(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      throw new NotJson(`${describe(value)} is not a plain array`);
    }
    for (let i = 0; i < value.length; i++) {
      try {
        // A hole reads as undefined and is refused like one.
        assertJsonValue(value[i], ancestors);
      } catch (error) {
        if (error instanceof NotJson) error.segments.push(`[${i}]`);
        throw error;
      }
    }
  } else {
    if (!isPlainObject(value)) throw new NotJson(`${describe(value)} is not a plain object`);
    if (Object.getOwnPropertySymbols(value).length > 0) throw new NotJson("object has symbol keys");
    for (const key of Object.keys(value)) {
      try {
        if (LONE_SURROGATE.test(key)) throw new NotJson("key contains a lone surrogate");
        assertJsonValue((value as Record<string, unknown>)[key], ancestors);
      } catch (error) {
        if (error instanceof NotJson) error.segments.push(`[${JSON.stringify(key)}]`);
        throw error;
      }
    }
  }
  ancestors.pop();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
      ?.name;
    return name ? `an object of class ${name}` : "an object";
  }
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${value}`;
  return `a value of type ${typeof value}`;
}

function notCanonicalizable(path: string, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(
    "record_not_canonicalizable",
    `record is not canonical JSON at ${path}: ${problem}`,
    {
      details: { path, problem },
    },
  );
}
