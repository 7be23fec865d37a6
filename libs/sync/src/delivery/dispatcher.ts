import { partitionFor, type BatchingProducer } from '@pushsync/platform';
import type { Oplog } from '../oplogs/oplog';
import { SYNC_DEVICE_WORK_TOPIC } from '../topics';
import { connectedTargetsOf, type ConnectedDevices } from './connected-devices';
import { encodeDeviceWork } from './device-work';

/**
 * Hands a new oplog to the delivery workers of the devices connected now (mss.md §2.3 "online:
 * push immediately"); devices that connect later catch up on their own. One work item per
 * partition of the device-work topic, naming that partition's devices, so a global oplog to
 * 50,000 devices is a dozen records, not 50,000.
 */
export class OplogDispatcher {
  public constructor(
    private readonly connected: ConnectedDevices,
    private readonly producer: BatchingProducer,
  ) {}

  public async dispatch(oplog: Oplog): Promise<void> {
    const tokens = await this.targets(oplog);
    if (tokens.length === 0) return;
    const byPartition = new Map<number, string[]>();
    for (const token of tokens) {
      const partition = partitionFor(token, SYNC_DEVICE_WORK_TOPIC.partitions);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), token]);
    }
    await this.producer.sendAll(
      SYNC_DEVICE_WORK_TOPIC.name,
      [...byPartition.values()].map((group) => ({ key: group[0]!, value: encodeDeviceWork({ type: 'oplog', instanceId: oplog.instanceId, tokens: group, oplog }) })),
    );
  }

  private async targets(oplog: Oplog): Promise<string[]> {
    if (!oplog.persistent) return oplog.targets ?? [];
    if (oplog.key === '*') return this.connected.devicesOfApp(oplog.instanceId);
    return connectedTargetsOf(this.connected, oplog.instanceId, oplog);
  }
}
