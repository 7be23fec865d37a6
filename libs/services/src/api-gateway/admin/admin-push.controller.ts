import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PUSH_CORE } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import { ANALYSIS_CHANNELS, ANALYSIS_PLATFORMS, PUSH_RESULT_CODES } from '@pushsync/push';
import { SERVICE_LINKS, ZodValidationPipe } from '@pushsync/runtime';
import type { Operator } from '@pushsync/tenancy';
import { AdminGuard, CurrentOperator } from '../../shared/admin.guard';
import { appOf } from './admin-sync-configs.controller';

/** Query strings carry text: times and page numbers are whole numbers sent to push-core as JSON numbers (its console check is strict). */
const wholeNumber = z
  .string()
  .regex(/^\d{1,16}$/, 'must be a whole number')
  .transform(Number);
const text = z.string().min(1).max(256);
const page = { pageNumber: wholeNumber.optional(), pageSize: wholeNumber.optional() };

const MessagesQuery = z.strictObject({ targetId: text.optional(), msgKey: text.optional(), ...page });
const TasksQuery = z.strictObject({ taskId: text.optional(), taskName: text.optional(), startTime: wholeNumber.optional(), ...page });
const DevicesQuery = z
  .strictObject({ userId: text.optional(), deviceId: text.optional() })
  .refine((query) => (query.userId === undefined) !== (query.deviceId === undefined), { message: 'give exactly one of userId and deviceId', path: ['userId'] });
const CoreIndexQuery = z.strictObject({
  startTime: wholeNumber,
  endTime: wholeNumber,
  platform: z.enum(ANALYSIS_PLATFORMS).optional(),
  channel: z.enum(ANALYSIS_CHANNELS).optional(),
  type: z.enum(['SIMPLE', 'TEMPLATE', 'MULTIPLE', 'BROADCAST']).optional(),
  taskId: text.optional(),
});

/** A strict query answering 3028 INVALID_PARAM naming the field (mps.md §3.17). */
const PushQuery = <S extends z.ZodType>(schema: S): ParameterDecorator => Query(new ZodValidationPipe(schema, PUSH_RESULT_CODES.INVALID_PARAM));

/**
 * The console's Message Push pages (mps.md §6.1–§6.4): message list and push details, push task
 * list, device status query and usage analysis. push-core answers them through CallPushApi, the
 * same path as the push APIs, recorded under the admin key; every route reads, so a viewer may
 * use it and an operator needs the app granted.
 */
@ApiTags('console')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1/apps/:instanceId/push')
export class AdminPushController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  @Get('messages')
  @ApiOperation({ summary: 'Message list: simple and template messages of the last 30 days, newest first; a search by target id and/or customer message id finds multiple messages too; broadcasts never' })
  public messages(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @PushQuery(MessagesQuery) query: z.infer<typeof MessagesQuery>) {
    return this.call(operator, instanceId, 'ListPushMessages', query);
  }

  @Get('messages/:messageId')
  @ApiOperation({ summary: 'Push details: the message status, expiry and modification time, and each device’s status, channel and sends' })
  public message(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('messageId') messageId: string) {
    return this.call(operator, instanceId, 'GetPushMessage', { messageId });
  }

  @Get('tasks')
  @ApiOperation({ summary: 'Push task list: multiple and broadcast tasks with pushed, successfully pushed and arrived counts and duration' })
  public tasks(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @PushQuery(TasksQuery) query: z.infer<typeof TasksQuery>) {
    return this.call(operator, instanceId, 'ListPushTasks', query);
  }

  @Get('devices')
  @ApiOperation({ summary: 'Device status query by user id or device id: tokens, platform, manufacturer, self-built channel status, binding' })
  public devices(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @PushQuery(DevicesQuery) query: z.infer<typeof DevicesQuery>) {
    return this.call(operator, instanceId, 'QueryPushDeviceStatus', query);
  }

  @Get('analysis/core-index')
  @ApiOperation({ summary: 'Usage analysis: pushed, successfully pushed, arrived, opened and ignored messages over whole days (at most 90)' })
  public coreIndex(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @PushQuery(CoreIndexQuery) query: z.infer<typeof CoreIndexQuery>) {
    return this.call(operator, instanceId, 'QueryPushAnalysisCoreIndex', query);
  }

  @Get('analysis/tasks/:taskId')
  @ApiOperation({ summary: 'Task details: pushed, successfully pushed and arrived counts, start, end and duration' })
  public taskDetail(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('taskId') taskId: string) {
    return this.call(operator, instanceId, 'QueryPushAnalysisTaskDetail', { taskId });
  }

  private async call(operator: Operator, instanceId: string, action: string, parameters: Record<string, unknown>): Promise<unknown> {
    const app = appOf(operator, instanceId, 'read');
    const reply = await this.links.client(PUSH_CORE).CallPushApi({ ...app, action, parametersJson: JSON.stringify(parameters), lenient: false, operator: operator.id, fromConsole: true });
    return JSON.parse(reply.resultJson) as unknown;
  }
}
