import { SendQueue } from './send-queue';
import { MemoryConnection } from './testing/memory-connection';

const frame = (n: number) => new Uint8Array(n).fill(7);

describe('SendQueue', () => {
  it('writes straight through while the transport takes frames', () => {
    const connection = new MemoryConnection();
    const queue = new SendQueue(connection, { maxFrames: 2, maxBytes: 100 });
    for (let i = 0; i < 10; i++) expect(queue.send(frame(10))).toBe('written');
    expect(connection.written).toHaveLength(10);
    expect(queue.queuedFrames).toBe(0);
  });

  it('queues behind backpressure, flushes in order on drain, and overflows past the frame limit', () => {
    const connection = new MemoryConnection();
    connection.writable = false;
    const queue = new SendQueue(connection, { maxFrames: 3, maxBytes: 1000 });
    expect(queue.send(Uint8Array.of(0))).toBe('written'); // taken by the transport, which now reports full
    expect([queue.send(Uint8Array.of(1)), queue.send(Uint8Array.of(2)), queue.send(Uint8Array.of(3))]).toEqual(['queued', 'queued', 'queued']);
    expect(queue.queuedBytes).toBe(3);
    connection.resume();
    expect(connection.written.map((b) => b[0])).toEqual([0, 1, 2, 3]);
    expect(queue.queuedFrames).toBe(0);

    connection.writable = false;
    queue.send(Uint8Array.of(4));
    for (let i = 0; i < 3; i++) expect(queue.send(Uint8Array.of(5))).toBe('queued');
    expect(queue.send(Uint8Array.of(6))).toBe('overflow');
    expect(queue.queuedFrames).toBe(0); // dropped: the owner disconnects
    expect(queue.send(Uint8Array.of(7))).toBe('overflow');
  });

  it('overflows past the byte limit', () => {
    const connection = new MemoryConnection();
    connection.writable = false;
    const queue = new SendQueue(connection, { maxFrames: 1000, maxBytes: 100 });
    queue.send(frame(1));
    expect(queue.send(frame(60))).toBe('queued');
    expect(queue.send(frame(40))).toBe('queued');
    expect(queue.send(frame(1))).toBe('overflow');
  });
});

describe('SendQueue.whenEmpty', () => {
  it('fires at once when empty, else once the queued frames are flushed', () => {
    const connection = new MemoryConnection();
    const queue = new SendQueue(connection, { maxFrames: 10, maxBytes: 1000 });
    let fired = 0;
    queue.whenEmpty(() => fired++);
    expect(fired).toBe(1);
    connection.writable = false;
    queue.send(Uint8Array.of(1));
    queue.send(Uint8Array.of(2));
    queue.whenEmpty(() => fired++);
    expect(fired).toBe(1);
    connection.resume();
    expect(fired).toBe(2);
    expect(connection.written.map((b) => b[0])).toEqual([1, 2]);
  });
});
