/** The last `capacity` ids seen, oldest evicted first (a Map keeps insertion order). */
export class RecentIds {
  private readonly ids = new Map<string, true>();

  public constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }

  /** True when `id` was seen already; otherwise records it and returns false. */
  public seen(id: string): boolean {
    if (this.ids.has(id)) {
      this.ids.delete(id);
      this.ids.set(id, true);
      return true;
    }
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value!);
    return false;
  }

  public get size(): number {
    return this.ids.size;
  }
}
