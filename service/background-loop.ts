// The lifecycle shared by the leader's background loops (batcher, anchorer): start once,
// wake early when there is work, back off after a failure, stop by waking the sleep and
// awaiting the loop.
import { Sleeper } from "./sleeper.ts";

export abstract class BackgroundLoop {
  protected readonly sleeper = new Sleeper();
  protected stopped = false;
  private loop: Promise<void> | undefined;
  private backingOff = false;

  start(): void {
    this.loop ??= this.run();
  }

  /** There is work now: end the current wait, unless it is a backoff (new work does not fix a failure). */
  poke(): void {
    if (!this.backingOff) this.sleeper.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    await this.loop;
  }

  /** Waits `ms` after a failure: a poke does not end it early, stop() does. */
  protected async backOff(ms: number): Promise<void> {
    this.backingOff = true;
    try {
      await this.sleeper.sleep(ms);
    } finally {
      this.backingOff = false;
    }
  }

  protected abstract run(): Promise<void>;
}
