/** Items in arrival order; next() takes the first one matching, waiting for it up to a timeout. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  public constructor(private readonly label: string) {}

  public push(item: T): void {
    const index = this.waiters.findIndex((waiter) => waiter.match(item));
    if (index >= 0) {
      this.waiters.splice(index, 1)[0]!.resolve(item);
      return;
    }
    this.items.push(item);
  }

  public next(timeoutMs = 5000, match: (item: T) => boolean = () => true): Promise<T> {
    const index = this.items.findIndex(match);
    if (index >= 0) return Promise.resolve(this.items.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${this.label}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Items not taken by next() yet. */
  public pending(match: (item: T) => boolean = () => true): T[] {
    return this.items.filter(match);
  }
}
