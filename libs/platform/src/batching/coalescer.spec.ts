import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('runs the items submitted together as one batch, and answers each its own outcome', async () => {
    const batches: number[][] = [];
    const doubler = new Coalescer(async (items: number[]) => {
      batches.push(items);
      return items.map((item) => item * 2);
    });
    expect(await Promise.all([1, 2, 3].map((item) => doubler.submit(item)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('keeps one batch in flight: what arrives meanwhile waits for the next, in submission order', async () => {
    const batches: string[][] = [];
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const coalescer = new Coalescer(async (items: string[]) => {
      batches.push(items);
      if (batches.length === 1) await held;
      return items;
    });
    const first = coalescer.submit('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = ['b', 'c', 'd'].map((item) => coalescer.submit(item));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toEqual([['a']]);
    release();
    expect(await Promise.all([first, ...later])).toEqual(['a', 'b', 'c', 'd']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('splits at maxBatch', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer(
      async (items: number[]) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((item) => coalescer.submit(item)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("rejects every item of a failed batch with its error, and the next batch still runs", async () => {
    let fail = true;
    const coalescer = new Coalescer(async (items: number[]) => {
      if (fail) throw new Error('store down');
      return items;
    });
    const failed = [1, 2].map((item) => coalescer.submit(item).catch((error: Error) => error.message));
    expect(await Promise.all(failed)).toEqual(['store down', 'store down']);
    fail = false;
    expect(await coalescer.submit(3)).toBe(3);
  });
});
