import { Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { SYNC_CORE } from '@pushsync/contracts';
import { DomainError, type ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, CLOCK, SERVICE_LINKS, type Clock } from '@pushsync/runtime';
import { BizNotOnlineError } from '@pushsync/sync';
import type { Operator } from '@pushsync/tenancy';
import { AdminGuard, CurrentOperator } from '../../shared/admin.guard';
import { NewSyncBody, newSyncRequest, SyncStatusQueryParams, syncStatusView } from '../sync/console-sync.dto';
import { SyncArgsBody, SyncArgsQuery } from '../sync/sync-configs.dto';
import { appOf } from './admin-sync-configs.controller';

/** The console's New Sync (mss.md §5.3) and User/Device Status Query (mss.md §5.4). */
@ApiTags('console')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1/apps/:instanceId/sync')
export class AdminSyncDataController {
  public constructor(
    @Inject(SERVICE_LINKS) private readonly links: ServiceLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get syncCore() {
    return this.links.client(SYNC_CORE);
  }

  @Post('data')
  @HttpCode(200)
  @ApiOperation({ summary: 'New Sync: send data on a published configuration (recorded as NEW_SYNC)' })
  @ApiJsonBody(NewSyncBody)
  public async newSync(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @SyncArgsBody(NewSyncBody) body: z.infer<typeof NewSyncBody>, @Req() request: FastifyRequest) {
    const app = appOf(operator, instanceId, 'operate');
    const config = await this.syncCore.GetSyncConfig({ ...app, operator: operator.id, bizType: body.bizType }).catch((error: unknown) => {
      throw error instanceof DomainError && error.code === 'CONFIG_NOT_FOUND' ? new BizNotOnlineError(body.bizType) : error;
    });
    if (!config.config) throw new BizNotOnlineError(body.bizType);
    const order = newSyncRequest(app, operator.id, config.config, body, this.clock.now());
    const reply = await this.syncCore.SendSyncData(order);
    return { code: reply.code, thirdMsgId: order.thirdMsgId, requestId: String(request.id) };
  }

  @Get('status')
  @ApiOperation({ summary: 'User/Device Status Query: connection, pushes and arrivals in 30 days, the push list' })
  public async status(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @SyncArgsQuery(SyncStatusQueryParams) query: z.infer<typeof SyncStatusQueryParams>) {
    const app = appOf(operator, instanceId, 'read');
    const target = query.userId !== undefined ? { targetType: 'USER', targetId: query.userId } : { targetType: 'DEVICE', targetId: query.deviceToken! };
    return syncStatusView(await this.syncCore.QuerySyncStatus({ ...app, operator: operator.id, ...target }));
  }
}
