// Notifications between the parts of the service, within one process and across processes:
// "batch 17 is anchored" wakes every long poll waiting for it, wherever it waits.
//
// Within a process, notify() calls the listeners at once (LocalChannels). Across processes,
// the PostgreSQL adapter also sends NOTIFY, and each process LISTENs on one session of its
// own (postgres-listener.ts); PGlite is one process's database, so local delivery is all
// there is. Channels are scoped to the current schema, like the advisory lock keys, so
// deployments (and test files) sharing one database never wake each other.

/** Called with a payload, or with undefined when notifications may have been missed (the listening session was lost or re-established): look again. */
export type Listener = (payload: string | undefined) => void;

const CHANNEL = /^[a-z][a-z0-9_]{0,39}$/;

/** Requires a lowercase identifier of at most 40 characters (the schema suffix fills the rest). */
export function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`notification channel must match ${CHANNEL}, got ${channel}`);
}

/** SQL for the schema-scoped name of channel `$n` (at most 53 characters, below PostgreSQL's 63). */
export function scopedChannelSql(n: number): string {
  return `($${n}::text || '_' || left(md5(current_schema()), 12))`;
}

/** Listeners by channel, called in this process. A listener that throws does not stop the others. */
export class LocalChannels {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Adds `listener`; returns the function that removes it. */
  add(channel: string, listener: Listener): () => void {
    assertChannel(channel);
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  channels(): string[] {
    return [...this.listeners.keys()];
  }

  emit(channel: string, payload: string | undefined): void {
    for (const listener of this.listeners.get(channel) ?? []) {
      try {
        listener(payload);
      } catch {
        // A listener's own failure is its business; the others still hear.
      }
    }
  }

  /** Tells every listener that notifications may have been missed. */
  emitAll(): void {
    for (const channel of this.listeners.keys()) this.emit(channel, undefined);
  }
}
