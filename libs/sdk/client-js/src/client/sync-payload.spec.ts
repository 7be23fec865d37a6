import { syncOpPayload } from './sync-payload';

describe('syncOpPayload', () => {
  it('returns the text, or the bytes of a binary (isB) payload', () => {
    expect(syncOpPayload({ id: 1, pl: 'plain', isB: false })).toBe('plain');
    expect(syncOpPayload({ id: 2, pl: Buffer.from([0, 1, 255]).toString('base64'), isB: true })).toEqual(new Uint8Array([0, 1, 255]));
  });
});
