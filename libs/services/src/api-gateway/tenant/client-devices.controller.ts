import { timingSafeEqual } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PUSH_CORE, type DeviceRpcReply } from '@pushsync/contracts';
import { DomainError, type ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, CLOCK, SERVICE_LINKS, ZodValidationPipe, type Clock } from '@pushsync/runtime';
import { API_GATEWAY_OPTIONS, type ApiGatewayOptions } from '../api-gateway.options';
import { TenancyServices } from '../tenancy-services';
import { INVALID_PARAM } from './push-params';
import { AppRateLimiter } from './rate-limiter';

const clientFields = { appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64), clientKey: z.string().max(256) };
// Empty token and userId are rule violations the domain answers (3001, 3012) in the RPC result.
const BindBody = z.strictObject({ ...clientFields, deliveryToken: z.string().max(64), userId: z.string().max(1024) });
const UnbindBody = z.strictObject({ ...clientFields, deliveryToken: z.string().max(64), userId: z.string().max(1024).optional() });
const ReportBody = z.strictObject({
  ...clientFields,
  deliveryToken: z.string().max(64).optional(),
  platform: z.enum(['IOS', 'ANDROID', 'HARMONY', 'WEB']),
  vendor: z.string().max(32),
  vendorToken: z.string().max(8192),
  osVersion: z.string().max(64).optional(),
  appVersion: z.string().max(64).optional(),
  deviceId: z.string().max(128).optional(),
});

type ClientApp = { appId: string; workspaceId: string; clientKey: string };

/**
 * Client HTTP endpoints for devices that never hold a comet connection (mps.md §4 "Device report
 * (iOS / FCM)" and iOS bind/unbind): authenticated by the app's client key like the comet
 * handshake, rate-limited per app, answered in the mps.md §4 RPC result format (HTTP 200 with
 * success false and the code for rule violations). Served by push-core's devices domain.
 */
@ApiTags('client')
@Controller('client/v1/devices')
export class ClientDevicesController {
  private readonly limiter: AppRateLimiter;

  public constructor(
    @Inject(SERVICE_LINKS) private readonly links: ServiceLinks,
    private readonly tenancy: TenancyServices,
    @Inject(API_GATEWAY_OPTIONS) options: ApiGatewayOptions,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.limiter = new AppRateLimiter(options.RATE_LIMIT_PER_APP, () => clock.now());
  }

  private get pushCore() {
    return this.links.client(PUSH_CORE);
  }

  @Post('report')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register a device (a token is issued when none is given) and record its APNs/FCM/vendor token' })
  @ApiJsonBody(ReportBody)
  public async report(@Body(new ZodValidationPipe(ReportBody, INVALID_PARAM)) body: z.infer<typeof ReportBody>) {
    const app = await this.authenticate(body);
    const reply = await this.pushCore.ReportDevice({
      ...app,
      deliveryToken: body.deliveryToken ?? '',
      platform: body.platform,
      vendor: body.vendor,
      vendorToken: body.vendorToken,
      osVersion: body.osVersion ?? '',
      appVersion: body.appVersion ?? '',
      deviceId: body.deviceId ?? '',
    });
    return { ...rpcResult(reply), ...(reply.success ? { deliveryToken: reply.deliveryToken, tokenIssued: reply.tokenIssued } : {}) };
  }

  @Post('bind')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bind a user to this device token' })
  @ApiJsonBody(BindBody)
  public async bind(@Body(new ZodValidationPipe(BindBody, INVALID_PARAM)) body: z.infer<typeof BindBody>) {
    const app = await this.authenticate(body);
    return rpcResult(await this.pushCore.BindDevice({ ...app, deliveryToken: body.deliveryToken, userId: body.userId }));
  }

  @Post('unbind')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove the binding of this device token (with userId: only when bound to that user)' })
  @ApiJsonBody(UnbindBody)
  public async unbind(@Body(new ZodValidationPipe(UnbindBody, INVALID_PARAM)) body: z.infer<typeof UnbindBody>) {
    const app = await this.authenticate(body);
    return rpcResult(await this.pushCore.UnbindDevice({ ...app, deliveryToken: body.deliveryToken, userId: body.userId ?? '' }));
  }

  /** Unknown app or wrong key: 401 (the answer does not tell which); key right but app disabled: 403; over the app's rate: 429. */
  private async authenticate(body: ClientApp): Promise<{ appId: string; workspaceId: string }> {
    const app = await this.tenancy.apps.find(body.workspaceId, body.appId);
    if (app === null) throw new DomainError('CLIENT_KEY_INVALID', 'authentication', 'the client key does not match the app');
    if (!this.limiter.take(app._id)) throw new DomainError('RATE_LIMITED', 'rate-limited', `app ${app._id} is over its limit of ${this.limiter.ratePerSecond} requests per second`);
    if (!sameSecret(app.clientKey, body.clientKey)) throw new DomainError('CLIENT_KEY_INVALID', 'authentication', 'the client key does not match the app');
    if (app.status !== 'active') throw new DomainError('APP_DISABLED', 'forbidden', `app ${app._id} is disabled`);
    return { appId: app.appId, workspaceId: app.workspaceId };
  }
}

function rpcResult(reply: DeviceRpcReply) {
  return { success: reply.success, code: reply.code, name: reply.name, message: reply.message };
}

/** Constant-time comparison (as the comet handshake does). */
function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
