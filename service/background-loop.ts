// The lifecycle shared by the leader's background loops (batcher, anchorer): start once,
// wake early when there is work, stop by waking the sleep and awaiting the loop.
import { Sleeper } from "./sleeper.ts";

export abstract class BackgroundLoop {
  protected readonly sleeper = new Sleeper();
  protected stopped = false;
  private loop: Promise<void> | undefined;

  start(): void {
    this.loop ??= this.run();
  }

  /** There is work now: end the current sleep. */
  poke(): void {
    this.sleeper.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    await this.loop;
  }

  protected abstract run(): Promise<void>;
}
