import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PUSH_CORE, type Template } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, SERVICE_LINKS } from '@pushsync/runtime';
import { PushApiGuard } from './push-api.guard';
import { PushParams } from './push-params';
import type { TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard, TenantMismatchCode } from './tenant.guard';

const appFields = { appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) };
// Lengths and formats are the domain's rules (they answer the TEMPLATE_* codes), so the schemas only check types.
// style and action travel as int32: a wider number would wrap to another value before the domain sees it.
const int32 = z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1);
const editableFields = {
  title: z.string().optional(),
  content: z.string().optional(),
  uri: z.string().optional(),
  description: z.string().nullable().optional(),
  displayType: z.string().optional(),
  style: int32.optional(),
  action: int32.optional(),
  iconUrl: z.string().nullable().optional(),
  imageUrl: z.string().nullable().optional(),
};
const CreateTemplateBody = z.strictObject({ ...appFields, name: z.string().optional(), ...editableFields });
const UpdateTemplateBody = z.strictObject({ ...appFields, ...editableFields });
const AppQuery = z.strictObject(appFields);
const positive = z.string().regex(/^[1-9]\d{0,5}$/, 'expected an integer ≥ 1').transform(Number);
const ListQuery = z.strictObject({ ...appFields, page: positive.optional(), pageSize: positive.optional() });

/** A template as REST v1 shows it: times in RFC 3339, no description, icon or image as null. */
function templateView(template: Template | null) {
  if (!template) throw new Error('push-core answered without a template');
  return {
    name: template.name,
    title: template.title,
    content: template.content,
    uri: template.uri,
    description: template.description === '' ? null : template.description,
    displayType: template.displayType,
    style: template.style,
    action: template.action,
    iconUrl: template.iconUrl === '' ? null : template.iconUrl,
    imageUrl: template.imageUrl === '' ? null : template.imageUrl,
    createdAt: new Date(template.createdAt).toISOString(),
    updatedAt: new Date(template.updatedAt).toISOString(),
  };
}

/** Message templates (mps.md §5, DECISIONS D2/D4), served by push-core. */
@ApiTags('templates')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard, PushApiGuard)
@Controller('v1/templates')
export class TemplatesController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  private get pushCore() {
    return this.links.client(PUSH_CORE);
  }

  @Post()
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Create a message template (name unique per app, at most 1000 per app; displayType NOTIFICATION, style 0 and action 0 when omitted)' })
  @ApiJsonBody(CreateTemplateBody)
  public async create(@CurrentTenant() tenant: TenantContext, @Body(new PushParams(CreateTemplateBody)) body: z.infer<typeof CreateTemplateBody>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.CreateTemplate({ ...appOf(tenant), name: body.name ?? '', ...wireFields(body) });
    return { code: 'OK', requestId: String(request.id), template: templateView(reply.template) };
  }

  @Get()
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'List the templates of an app, newest first (page from 1, pageSize 1-500, default 500)' })
  public async list(@CurrentTenant() tenant: TenantContext, @Query(new PushParams(ListQuery)) query: z.infer<typeof ListQuery>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.ListTemplates({ ...appOf(tenant), page: query.page ?? 0, pageSize: query.pageSize ?? 0 });
    return { code: 'OK', requestId: String(request.id), templates: reply.templates.map(templateView), total: reply.total, page: reply.page, pageSize: reply.pageSize };
  }

  @Get(':name')
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Get one template by name' })
  public async get(@CurrentTenant() tenant: TenantContext, @Param('name') name: string, @Query(new PushParams(AppQuery)) _query: z.infer<typeof AppQuery>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.GetTemplate({ ...appOf(tenant), name });
    return { code: 'OK', requestId: String(request.id), template: templateView(reply.template) };
  }

  @Put(':name')
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Replace every field of a template but its name (omitted fields take their defaults)' })
  @ApiJsonBody(UpdateTemplateBody)
  public async update(
    @CurrentTenant() tenant: TenantContext,
    @Param('name') name: string,
    @Body(new PushParams(UpdateTemplateBody)) body: z.infer<typeof UpdateTemplateBody>,
    @Req() request: FastifyRequest,
  ) {
    const reply = await this.pushCore.UpdateTemplate({ ...appOf(tenant), name, ...wireFields(body) });
    return { code: 'OK', requestId: String(request.id), template: templateView(reply.template) };
  }

  @Delete(':name')
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Delete a template (pushes already accepted keep their rendered message)' })
  public async delete(@CurrentTenant() tenant: TenantContext, @Param('name') name: string, @Query(new PushParams(AppQuery)) _query: z.infer<typeof AppQuery>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.DeleteTemplate({ ...appOf(tenant), name });
    return { code: 'OK', requestId: String(request.id), name: reply.name };
  }
}

/** The editable fields on the wire: '' stands for an omitted string, 0 for an omitted style or action (their defaults). */
function wireFields(body: z.infer<typeof UpdateTemplateBody>) {
  return {
    title: body.title ?? '',
    content: body.content ?? '',
    uri: body.uri ?? '',
    description: body.description ?? '',
    displayType: body.displayType ?? '',
    style: body.style ?? 0,
    action: body.action ?? 0,
    iconUrl: body.iconUrl ?? '',
    imageUrl: body.imageUrl ?? '',
  };
}

function appOf(tenant: TenantContext) {
  return { appId: tenant.app.appId, workspaceId: tenant.app.workspaceId };
}
