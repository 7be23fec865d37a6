import { Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonBody, ValidBody } from '@pushsync/runtime';
import { parseInstanceId, type Operator } from '@pushsync/tenancy';
import { ValidationError } from '@pushsync/platform';
import { TenancyServices } from '../tenancy-services';
import { ChangeSettingsRequest, CreateAppRequest } from './admin.dto';
import { AdminGuard, CurrentOperator } from '../../shared/admin.guard';
import { mapAccessKey, mapApp } from './admin.mappers';

function instance(instanceId: string): { workspaceId: string; appId: string } {
  const parsed = parseInstanceId(instanceId);
  if (!parsed) throw new ValidationError(`instanceId ${JSON.stringify(instanceId)} must be <workspaceId>_<appId>`);
  return parsed;
}

/** Admin API for tenant apps and their access keys. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1/apps')
export class AdminAppsController {
  public constructor(private readonly tenancy: TenancyServices) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant app (owner)' })
  @ApiJsonBody(CreateAppRequest)
  public async create(@CurrentOperator() operator: Operator, @ValidBody(CreateAppRequest) body: z.infer<typeof CreateAppRequest>) {
    return mapApp(await this.tenancy.administration.createApp(operator, body));
  }

  @Get()
  @ApiOperation({ summary: 'List the apps this key may see' })
  public async list(@CurrentOperator() operator: Operator) {
    return { apps: (await this.tenancy.administration.listApps(operator)).map(mapApp) };
  }

  @Get(':instanceId')
  public async get(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return mapApp(await this.tenancy.administration.getApp(operator, workspaceId, appId));
  }

  @Get(':instanceId/platform-key')
  @ApiOperation({ summary: 'The public key (SPKI PEM) that verifies receipts and user consistency validation calls' })
  public async platformKey(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return { instanceId, publicKey: await this.tenancy.administration.platformPublicKey(operator, workspaceId, appId) };
  }

  @Post(':instanceId/disable')
  @HttpCode(200)
  public async disable(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return mapApp(await this.tenancy.administration.setStatus(operator, workspaceId, appId, 'disabled'));
  }

  @Post(':instanceId/enable')
  @HttpCode(200)
  public async enable(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return mapApp(await this.tenancy.administration.setStatus(operator, workspaceId, appId, 'active'));
  }

  @Patch(':instanceId/settings')
  @ApiOperation({ summary: 'Change switches (API, signature, receipts) and settings; each change is an operation record. receiptUrl is required while receiptStatus is on' })
  @ApiJsonBody(ChangeSettingsRequest)
  public async changeSettings(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @ValidBody(ChangeSettingsRequest) body: z.infer<typeof ChangeSettingsRequest>) {
    const { workspaceId, appId } = instance(instanceId);
    return mapApp(await this.tenancy.administration.changeSettings(operator, workspaceId, appId, body));
  }

  @Post(':instanceId/client-key')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate the client key devices present at handshake' })
  public async rotateClientKey(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return mapApp(await this.tenancy.administration.rotateClientKey(operator, workspaceId, appId));
  }

  @Post(':instanceId/access-keys')
  @ApiOperation({ summary: 'Issue an access key; the secret is shown only in this answer' })
  public async issueAccessKey(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    const key = await this.tenancy.administration.issueAccessKey(operator, workspaceId, appId);
    return { ...mapAccessKey(key), accessKeySecret: key.secret };
  }

  @Get(':instanceId/access-keys')
  public async listAccessKeys(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return { accessKeys: (await this.tenancy.administration.listAccessKeys(operator, workspaceId, appId)).map(mapAccessKey) };
  }

  @Delete(':instanceId/access-keys/:accessKeyId')
  public async revokeAccessKey(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('accessKeyId') accessKeyId: string) {
    const { workspaceId, appId } = instance(instanceId);
    return mapAccessKey(await this.tenancy.administration.revokeAccessKey(operator, workspaceId, appId, accessKeyId));
  }
}
