import type { TopicSpec } from '@pushsync/platform';

/** Accepted orders, keyed by channel: the sequencer owning a partition is the only writer of its channels. */
export const SYNC_ORDERS_TOPIC: TopicSpec = { name: 'sync.orders', partitions: 12 };

/** Everything that changes what a device is owed, keyed by device token: one worker owns a device at a time. */
export const SYNC_DEVICE_WORK_TOPIC: TopicSpec = { name: 'sync.device-work', partitions: 12 };

export const SEQUENCER_GROUP = 'sync-sequencer';
export const DELIVERY_GROUP = 'sync-delivery';
