// Exactly one process seals and anchors: the one holding the leader advisory lock. Every
// process keeps trying to take it (every second), so when the leader dies its database
// session ends, the lock is freed, and another process takes over within a few seconds.
import type { AdvisoryLock, Database } from "./db/database.ts";
import { LOCK_KEYS } from "./db/database.ts";
import type { Logger } from "./logger.ts";
import { Sleeper } from "./sleeper.ts";

export interface LeaderWork {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

export interface LeaderOptions {
  db: Database;
  log: Logger;
  /** Called each time this process becomes leader; the work runs until leadership ends. */
  makeWork: () => Promise<LeaderWork>;
  retryMs?: number;
}

export class Leader {
  private readonly options: LeaderOptions;
  private readonly sleeper = new Sleeper();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private leading = false;
  private requestStop: () => void = () => {};
  private readonly stopRequested = new Promise<"stop">((resolve) => {
    this.requestStop = () => resolve("stop");
  });

  constructor(options: LeaderOptions) {
    this.options = options;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.requestStop();
    this.sleeper.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { db, log } = this.options;
    while (!this.stopped) {
      let lock: AdvisoryLock | null = null;
      try {
        lock = await db.tryAcquireLock(LOCK_KEYS.leader);
      } catch (error) {
        log.warn({ err: (error as Error).message }, "cannot reach the database to take the leader lock");
      }
      if (lock === null) {
        await this.sleeper.sleep(this.options.retryMs ?? 1000);
        continue;
      }
      this.leading = true;
      log.info({}, "this process is now the leader: sealing and anchoring");
      let work: LeaderWork | undefined;
      try {
        work = await this.options.makeWork();
        await work.start();
        const lost = lock.lost.then(() => "lost" as const);
        if ((await Promise.race([lost, this.stopRequested])) === "lost") {
          log.warn({}, "leader lock lost; stepping down");
        }
      } catch (error) {
        log.error({ err: error }, "leader work failed to start");
      } finally {
        this.leading = false;
        await work?.stop();
        await lock.release().catch(() => undefined);
      }
    }
  }
}
