import { Controller, Delete, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Inject } from '@nestjs/common';
import { ApiJsonBody, CLOCK, ValidBody, ZodValidationPipe, type Clock } from '@pushsync/runtime';
import { operationWindow, requirePermission, visibleApps, type Operator } from '@pushsync/tenancy';
import { TenancyServices } from '../tenancy-services';
import { IssueAdminKeyRequest, OperationQueryParams } from './admin.dto';
import { AdminGuard, CurrentOperator } from '../../shared/admin.guard';
import { mapAdminKey, mapOperation } from './admin.mappers';

/** Admin API for operator keys and the operation records. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1')
export class AdminOperatorsController {
  public constructor(
    private readonly tenancy: TenancyServices,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('admin-keys')
  @ApiOperation({ summary: 'Issue an operator key (owner); the credential is shown only in this answer' })
  @ApiJsonBody(IssueAdminKeyRequest)
  public async issue(@CurrentOperator() operator: Operator, @ValidBody(IssueAdminKeyRequest) body: z.infer<typeof IssueAdminKeyRequest>) {
    const { key, credential } = await this.tenancy.administration.issueAdminKey(operator, body);
    return { ...mapAdminKey(key), credential };
  }

  @Get('admin-keys')
  public async list(@CurrentOperator() operator: Operator) {
    return { adminKeys: (await this.tenancy.administration.listAdminKeys(operator)).map(mapAdminKey) };
  }

  @Delete('admin-keys/:id')
  public async revoke(@CurrentOperator() operator: Operator, @Param('id') id: string) {
    return mapAdminKey(await this.tenancy.administration.revokeAdminKey(operator, id));
  }

  @Get('operations')
  @ApiOperation({ summary: 'Operation records: last 7 days and at most 1000 rows by default, newest first' })
  public async operations(@CurrentOperator() operator: Operator, @Query(new ZodValidationPipe(OperationQueryParams)) query: z.infer<typeof OperationQueryParams>) {
    requirePermission(operator, 'read', query.instanceId);
    const records = await this.tenancy.operations.query({
      instanceId: query.instanceId,
      visibleInstanceIds: visibleApps(operator),
      operator: query.operator,
      action: query.action,
      ...operationWindow(query, this.clock.now()),
      limit: query.limit,
    });
    return { operations: records.map(mapOperation) };
  }
}
