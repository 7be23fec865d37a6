import { PushRuleError } from '../push-codes';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import type { AppRef } from './query-parameters';

/** A task's counts and times as QueryPushAnalysisTaskDetail (mps.md §3.14) and the console task list (§6.3) show them. */
export interface TaskFigures {
  /** Targets (after resolution); for a broadcast, the devices it was written to (its audience is not enumerated). */
  pushNum: number;
  /** Written to a connection or handed to a vendor channel. */
  pushSuccessNum: number;
  /** Acknowledged by a device or accepted by a vendor. */
  pushArrivalNum: number;
  startTime: number;
  /** When the fan-out ended; null while it runs. */
  endTime: number | null;
  /** endTime − startTime (up to now while it runs) as `00 hour 01 minute 36 seconds`. */
  duration: string;
}

export function taskFigures(task: PushTask, now: number): TaskFigures {
  return {
    pushNum: task.type === 'BROADCAST' ? task.pushedCount : task.targetCount,
    pushSuccessNum: task.pushedCount,
    pushArrivalNum: task.ackedCount,
    startTime: task.createdAt,
    endTime: task.finishedAt,
    duration: formatDuration((task.finishedAt ?? now) - task.createdAt),
  };
}

/** mps.md §3.14: `00 hour 01 minute 36 seconds` (whole seconds, hours not capped at 24). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))} hour ${two(Math.floor((seconds % 3600) / 60))} minute ${two(seconds % 60)} seconds`;
}

/** The app's task, or 3028 INVALID_PARAM of kind not-found (mps.md §3.17 has no code of its own for an unknown task). */
export async function taskById(tasks: Pick<TaskRepository, 'find'>, app: AppRef, taskId: string): Promise<PushTask> {
  const task = await tasks.find(app.appId, app.workspaceId, taskId);
  if (task === null) throw new PushRuleError('INVALID_PARAM', `taskId ${taskId}: no such task`, 'not-found');
  return task;
}
