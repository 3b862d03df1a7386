// Many readers at once, or one writer alone, granted in arrival order: a waiting writer goes
// before the readers that came after it, so a stream of reads never starves a write.
export class ReadWriteLock {
  /** Readers running, or -1 while the writer runs. */
  private active = 0;
  private readonly waiting: Array<{ write: boolean; grant: () => void }> = [];

  read<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  write<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(write: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.waiting.push({ write, grant });
      this.grantNext();
    });
    try {
      return await work();
    } finally {
      this.active = write ? 0 : this.active - 1;
      this.grantNext();
    }
  }

  private grantNext(): void {
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      if (next.write ? this.active !== 0 : this.active < 0) return;
      this.waiting.shift();
      this.active = next.write ? -1 : this.active + 1;
      next.grant();
      if (next.write) return;
    }
  }
}
