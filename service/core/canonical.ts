// Record -> RFC 8785 (JCS) bytes -> digest.
//
//   digest = SHA-256(UTF-8(JCS(record)))
//
// JCS fixes one byte sequence per JSON value: object members sorted by their keys' UTF-16
// code units, no whitespace, numbers in ECMAScript Number.prototype.toString form (so 1e21
// is "1e+21", -0 is "0") and minimal string escapes: for a number and a well-formed string,
// exactly what JSON.stringify writes (RFC 8785 section 3.2.2). So one walk both refuses
// anything that is not plain JSON (RFC 8785 section 3.1 requires I-JSON: finite numbers,
// well-formed Unicode; and a Date, a Map, undefined or a toJSON method would give a digest of
// something other than what the caller meant) and writes the JCS text. The `canonicalize`
// package, the reference implementation's port, is the oracle the tests compare it with
// (test/core/canonical.test.ts); a separate validating walk before it cost as much as the
// serializing.
//
// Pure: no node: imports, so the same code runs in the verify page of a browser (the SHA-256
// is the platform's, platform.ts).
import { InvalidArgumentError } from "./errors.ts";
import { sha256 } from "./platform.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deeper nesting is refused rather than risk the stack; no evidence record needs it. */
export const MAX_DEPTH = 256;

const encoder = new TextEncoder();

/** UTF-8 JCS bytes of `record`, which must be a plain JSON object. */
export function canonicalize(record: unknown): Uint8Array {
  return encoder.encode(canonicalText(record));
}

/** The JCS text of `record`, which must be a plain JSON object. */
export function canonicalText(record: unknown): string {
  if (!isPlainObject(record)) {
    throw notCanonicalizable("$", `a record must be a JSON object, got ${describe(record)}`);
  }
  try {
    return serialize(record, []);
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    throw notCanonicalizable(`$${error.segments.reverse().join("")}`, error.problem);
  }
}

/** SHA-256 of the JCS bytes of `record` (32 bytes). */
export function digestRecord(record: unknown): Uint8Array {
  return digestCanonical(canonicalize(record));
}

/** The digest of JCS bytes from `canonicalize` (for a caller that also needs their length). */
export function digestCanonical(jcs: Uint8Array): Uint8Array {
  return sha256(jcs);
}

/** Where a value fails: its path is built on the way out, so a value that passes builds none. */
class NotJson {
  readonly problem: string;
  readonly segments: string[] = [];
  constructor(problem: string) {
    this.problem = problem;
  }
}

/** The JCS text of `value`. `ancestors`: the objects and arrays above it, outermost first. */
function serialize(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case "string":
      if (!value.isWellFormed()) throw new NotJson("string contains a lone surrogate");
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new NotJson(`${value} is not a finite number`);
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new NotJson(`${describe(value)} has no JSON form`);
  }
  if (value === null) return "null";
  if (ancestors.includes(value)) throw new NotJson("circular reference");
  if (ancestors.length >= MAX_DEPTH) throw new NotJson(`nested deeper than ${MAX_DEPTH} levels`);
  ancestors.push(value);
  let text: string;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      throw new NotJson(`${describe(value)} is not a plain array`);
    }
    text = "[";
    for (let i = 0; i < value.length; i++) {
      try {
        // A hole reads as undefined and is refused like one.
        text += (i === 0 ? "" : ",") + serialize(value[i], ancestors);
      } catch (error) {
        if (error instanceof NotJson) error.segments.push(`[${i}]`);
        throw error;
      }
    }
    text += "]";
  } else {
    if (!isPlainObject(value)) throw new NotJson(`${describe(value)} is not a plain object`);
    if (Object.getOwnPropertySymbols(value).length > 0) throw new NotJson("object has symbol keys");
    // The default sort compares UTF-16 code units: the order JCS requires.
    const keys = Object.keys(value).sort();
    text = "{";
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      try {
        if (!key.isWellFormed()) throw new NotJson("key contains a lone surrogate");
        text += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${serialize((value as Record<string, unknown>)[key], ancestors)}`;
      } catch (error) {
        if (error instanceof NotJson) error.segments.push(`[${JSON.stringify(key)}]`);
        throw error;
      }
    }
    text += "}";
  }
  ancestors.pop();
  return text;
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
