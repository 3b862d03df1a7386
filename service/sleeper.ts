/**
 * A sleep that another part of the program can cut short: background loops wait on it. A
 * wake is never lost: one that comes while nothing sleeps (the loop is busy) ends the next
 * sleep at once, so work announced during a step is picked up right after it. Wakes do not
 * add up: however many came, they end one sleep.
 */
export class Sleeper {
  private wakeUp: (() => void) | undefined;
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the current sleep at once; with none in progress, the next one. */
  wake(): void {
    if (this.wakeUp === undefined) this.woken = true;
    else this.wakeUp();
  }
}
