// A database handle that counts the statements sent through it (query and exec, outside
// transactions): for tests that assert how much work something does, not how long it takes.
import type { Database } from "../../service/db/database.ts";

export interface CountingDatabase {
  db: Database;
  /** Statements sent so far. */
  count(): number;
}

export function countingDatabase(inner: Database): CountingDatabase {
  let statements = 0;
  const db = new Proxy(inner, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "query" || name === "exec") {
        return (...args: unknown[]) => {
          statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { db, count: () => statements };
}
