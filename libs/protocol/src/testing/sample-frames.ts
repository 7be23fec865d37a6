import { type FrameBodyKind, type FrameOf } from '../codec';

/**
 * One realistic frame of every body kind (unicode text, maps, repeated sync points and ops, 64-bit
 * values up to 2^53 - 1), in the shape decodeFrame returns: every field present. Used by the specs.
 */
export const SAMPLE_FRAMES: { readonly [K in FrameBodyKind]: FrameOf<K> } = {
  handshake: {
    seq: 0,
    handshake: {
      appId: 'ONEX570DA89211721',
      workspaceId: 'default',
      clientKey: 'ck_9f8e7d6c5b4a39281706',
      deviceToken: '',
      platform: 'ANDROID',
      osVersion: 'Android 14 (UP1A.231005.007)',
      appVersion: '3.12.0',
      sdkVersion: '1.0.0-beta.2',
      manufacturer: '小米 Xiaomi',
      deviceId: 'ZmQ4YjY1MTctOTk1Ni00',
      syncPoints: [
        { bizType: 'CHAT-MSG', key: 'user-😀-张三', oplogId: Number.MAX_SAFE_INTEGER },
        { bizType: 'NEWS', key: '*', oplogId: 0 },
        { bizType: 'ORDERS', key: 'c3a1f0d2e4b5968778695a4b3c2d1e0f', oplogId: 1_777_000_123_456 },
      ],
      appState: 'FOREGROUND',
    },
  },
  handshakeAck: {
    seq: 0,
    handshakeAck: {
      deviceToken: 'c3a1f0d2e4b5968778695a4b3c2d1e0f',
      tokenIssued: true,
      heartbeatIntervalMs: 180_000,
      serverTimeMs: 1_785_000_000_000,
      reconnectBackoffMs: 0xffffffff,
    },
  },
  ping: { seq: 0, ping: { clientTimeMs: 1_785_000_000_001 } },
  pong: { seq: 0, pong: { clientTimeMs: 1_785_000_000_001, serverTimeMs: Number.MAX_SAFE_INTEGER } },
  bindUser: { seq: 7, bindUser: { userId: 'ユーザー-0042', sessionId: 'sess:Ωmega/🔑' } },
  unbindUser: { seq: 8, unbindUser: {} },
  appState: { seq: 9, appState: { state: 'BACKGROUND' } },
  reportVendorToken: { seq: 10, reportVendorToken: { vendor: 'HUAWEI', vendorToken: 'IQAAAACy0kYJAACnhOB_Tz-x9q1wXdoG3V1K' } },
  syncData: {
    seq: 0,
    syncData: {
      bizType: 'CHAT-MSG',
      key: 'user-😀-张三',
      op: [
        { id: 1, pl: '{"text":"你好，世界 👋","from":"李四"}', isB: false },
        { id: 2, pl: 'AAECA/7/gICAgA==', isB: true },
        { id: Number.MAX_SAFE_INTEGER, pl: '', isB: false },
      ],
    },
  },
  syncAck: { seq: 0, syncAck: { bizType: 'CHAT-MSG', key: 'user-😀-张三', oplogId: Number.MAX_SAFE_INTEGER } },
  pushMessage: {
    seq: 0,
    pushMessage: {
      msgId: 'k-20260501-000001',
      taskId: '91234567',
      title: 'Ünïcödé ✓ 标题',
      content: 'Your order 📦 has shipped — 您的订单已发货',
      uri: 'myapp://orders/42?ref=push',
      action: '1',
      style: 2,
      silent: false,
      extParams: { notifyType: 'notify', channelId: 'orders', '表情': '😀', '': 'empty key' },
      imageUrl: 'https://cdn.example.com/img/ship.png',
      iconUrl: '',
      expireAtMs: Number.MAX_SAFE_INTEGER,
    },
  },
  pushAck: { seq: 0, pushAck: { msgId: 'k-20260501-000001' } },
  pushReport: { seq: 0, pushReport: { msgId: 'k-20260501-000001', kind: 'OPENED' } },
  revoke: { seq: 0, revoke: { msgId: 'k-20260501-000001' } },
  rpcResult: { seq: 7, rpcResult: { success: false, code: 3012, name: 'USER_NOT_EXIST', message: '用户不存在' } },
  error: { seq: 0, error: { code: 'HANDSHAKE_REQUIRED', message: 'the first frame must be a handshake' } },
  goAway: { seq: 0, goAway: { reason: 'draining: node comet-2 restarts', reconnectAfterMs: 1500 } },
};

/**
 * A tiny seeded PRNG (mulberry32): the same seed gives the same numbers everywhere. Returns a function
 * giving an integer from 0 to bound - 1 (bound at most 2^21). No Math.* inside: global lookups are slow
 * in Jest's sandbox.
 */
export function seededRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  const imul = Math.imul;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) * bound) / 4294967296 >>> 0;
  };
}
