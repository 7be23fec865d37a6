import type { PushTask } from '../tasks/push-task';

/** Statistics of broadcasts, whose devices are counted per shard sent rather than per delivery. */
export interface BroadcastCounter {
  broadcastSent(task: PushTask, sent: number): Promise<void>;
}

/** Devices per shard of a broadcast's audience. */
export const BROADCAST_SHARD_SIZE = 1000;

/**
 * One shard of a planned broadcast, as produced to PUSH_BROADCAST_SHARD_TOPIC: at most
 * BROADCAST_SHARD_SIZE connected devices grouped by the node holding them. `from` counts the
 * devices (in the order listed) already sent when a rated shard is continued later.
 */
export interface BroadcastShard {
  appId: string;
  workspaceId: string;
  taskId: string;
  planId: string;
  index: number;
  targets: Array<{ node: string; tokens: string[] }>;
  from: number;
}

export function shardIdOf(shard: Pick<BroadcastShard, 'taskId' | 'planId' | 'index'>): string {
  return `${shard.taskId}:${shard.planId}:${shard.index}`;
}

/** Devices grouped by the node holding them, in the order listed. */
export function byNode(devices: Array<{ token: string; node: string }>): BroadcastShard['targets'] {
  const tokensOf = new Map<string, string[]>();
  for (const { token, node } of devices) {
    const tokens = tokensOf.get(node);
    if (tokens === undefined) tokensOf.set(node, [token]);
    else tokens.push(token);
  }
  return [...tokensOf].map(([node, tokens]) => ({ node, tokens }));
}
