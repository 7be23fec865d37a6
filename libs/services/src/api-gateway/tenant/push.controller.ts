import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, UseGuards, type PipeTransform } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PUSH_CORE } from '@pushsync/contracts';
import { DomainError, type ServiceLinks } from '@pushsync/platform';
import { invalidParam } from '@pushsync/push';
import { errorResponse, SERVICE_LINKS } from '@pushsync/runtime';
import { PushApiGuard } from './push-api.guard';
import { operatorOf, type TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard } from './tenant.guard';

/** The body or query as an object; push-core checks every field (strict on this face, DECISIONS D2). */
class JsonObject implements PipeTransform {
  public transform(value: unknown): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParam('the request body must be a JSON object');
    return value as Record<string, unknown>;
  }
}

/** On the push face a failure of the platform answers SYSTEM_ERROR with its mps.md §3.17 number, 9000 (DECISIONS D2). */
function withPushSystemCode(error: unknown): unknown {
  const { status, body } = errorResponse(error, '');
  if (body.code !== 'SYSTEM_ERROR') return error;
  return Object.assign(new DomainError('SYSTEM_ERROR', status === 503 ? 'unavailable' : 'internal', body.message, 9000), { cause: error });
}

/** Query strings carry text: the numeric parameters of the analysis and schedule queries are converted before push-core's strict check. */
const NUMERIC_QUERY_PARAMETERS = new Set(['startTime', 'endTime', 'endtTime', 'pageNumber', 'pageSize', 'type']);

function queryParameters(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, NUMERIC_QUERY_PARAMETERS.has(name) && typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value]));
}

/**
 * The push APIs on REST v1 (mps.md §3, DECISIONS D2/D4), served by push-core. Success:
 * `{"code":"OK","requestId",...result}`; refusals are REST v1 errors carrying the mps.md §3.17
 * code (`numericCode`). The app's API switch off answers 3032 before anything else.
 */
@ApiTags('push')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard, PushApiGuard)
@Controller('v1/push')
export class PushController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  @Post('simple')
  @HttpCode(200)
  @ApiOperation({ summary: 'PushSimple: one message with its own title and content to up to 10 targets (mps.md §3.1)' })
  public simple(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'PushSimple', body, request);
  }

  @Post('template')
  @HttpCode(200)
  @ApiOperation({ summary: 'PushTemplate: a rendered template to up to 10 targets (mps.md §3.2)' })
  public template(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'PushTemplate', body, request);
  }

  @Post('multiple')
  @HttpCode(200)
  @ApiOperation({ summary: 'PushMultiple: one template, personal values for up to 400 targets (mps.md §3.3); data is the task id' })
  public multiple(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'PushMultiple', body, request);
  }

  @Post('broadcast')
  @HttpCode(200)
  @ApiOperation({ summary: 'PushBroadcast: one template to every device of a platform in the binding audience (mps.md §3.4); data is the task id' })
  public broadcast(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'PushBroadcast', body, request);
  }

  @Post('revoke/message')
  @HttpCode(200)
  @ApiOperation({ summary: 'RevokePushMessage: by customer message id and target, within 7 days (mps.md §3.10)' })
  public revokeMessage(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'RevokePushMessage', body, request);
  }

  @Post('revoke/task')
  @HttpCode(200)
  @ApiOperation({ summary: 'RevokePushTask: a multiple or broadcast task, within 7 days (mps.md §3.11)' })
  public revokeTask(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'RevokePushTask', body, request);
  }

  @Get('analysis/core-index')
  @ApiOperation({ summary: 'QueryPushAnalysisCoreIndex: pushed, arrived, opened and ignored counts (mps.md §3.12)' })
  public coreIndex(@CurrentTenant() tenant: TenantContext, @Query(new JsonObject()) query: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'QueryPushAnalysisCoreIndex', queryParameters(query), request);
  }

  @Get('analysis/task-list')
  @ApiOperation({ summary: 'QueryPushAnalysisTaskList: multiple and broadcast tasks (mps.md §3.13)' })
  public taskList(@CurrentTenant() tenant: TenantContext, @Query(new JsonObject()) query: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'QueryPushAnalysisTaskList', queryParameters(query), request);
  }

  @Get('analysis/task-detail')
  @ApiOperation({ summary: 'QueryPushAnalysisTaskDetail: one task’s counts and duration (mps.md §3.14)' })
  public taskDetail(@CurrentTenant() tenant: TenantContext, @Query(new JsonObject()) query: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'QueryPushAnalysisTaskDetail', queryParameters(query), request);
  }

  @Get('schedules')
  @ApiOperation({ summary: 'QueryPushSchedulerList: timed and cyclic tasks by trigger time (mps.md §3.15)' })
  public schedules(@CurrentTenant() tenant: TenantContext, @Query(new JsonObject()) query: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'QueryPushSchedulerList', queryParameters(query), request);
  }

  @Post('schedules/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'CancelPushScheduler: up to 30 master or sub task ids, a result per id (mps.md §3.16)' })
  public cancelSchedules(@CurrentTenant() tenant: TenantContext, @Body(new JsonObject()) body: Record<string, unknown>, @Req() request: FastifyRequest) {
    return this.call(tenant, 'CancelPushScheduler', body, request);
  }

  private async call(tenant: TenantContext, action: string, parameters: Record<string, unknown>, request: FastifyRequest) {
    const reply = await this.links
      .client(PUSH_CORE)
      .CallPushApi({
        appId: tenant.app.appId,
        workspaceId: tenant.app.workspaceId,
        action,
        parametersJson: JSON.stringify(parameters),
        lenient: false,
        operator: operatorOf(tenant),
        fromConsole: false,
      })
      .catch((error: unknown) => {
        throw withPushSystemCode(error);
      });
    return { code: 'OK', requestId: String(request.id), ...(JSON.parse(reply.resultJson) as object) };
  }
}
