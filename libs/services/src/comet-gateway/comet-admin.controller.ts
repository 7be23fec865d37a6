import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { DeliveryReport } from '@pushsync/comet';
import { ValidationError } from '@pushsync/platform';
import { ApiJsonBody, ValidBody } from '@pushsync/runtime';
import { requirePermission, type Operator } from '@pushsync/tenancy';
import { createFrame, encodeFrame, isProtocolError } from '@pushsync/protocol';
import { AdminGuard, CurrentOperator } from '../shared/admin.guard';
import { CometServer } from './comet-server';

const deliveryBody = z.strictObject({
  appId: z.string().min(1).max(64),
  workspaceId: z.string().min(1).max(64),
  // Exactly one of: the device tokens, or a user whose connected devices (presence user entries) get the frame.
  deviceTokens: z.array(z.string().min(1).max(64)).min(1).max(1000).optional(),
  userId: z.string().min(1).max(128).optional(),
  message: z.strictObject({
    msgId: z.string().min(1).max(64),
    title: z.string().max(200).default(''),
    content: z.string().max(4000).default(''),
    uri: z.string().max(2048).default(''),
    silent: z.boolean().default(false),
    // Values up to the frame limit: operators use this to test large frames too (the encoder enforces COMET_MAX_FRAME_BYTES).
    extParams: z.record(z.string().max(64), z.string().max(1024 * 1024)).refine((params) => Object.keys(params).length <= 20, 'at most 20 ext params').default({}),
  }),
}).refine((body) => (body.deviceTokens === undefined) !== (body.userId === undefined), 'name exactly one of deviceTokens and userId');

/**
 * Operator tool: sends a push message frame to connected devices of an app through the gateway's
 * presence routing (the path push-core's dispatcher will take), and answers the per-node report.
 * Owner or operator keys granted the app.
 */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1/comet')
export class CometAdminController {
  public constructor(private readonly comet: CometServer) {}

  @Post('deliveries')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver a push message frame to connected devices (operator test tool)' })
  @ApiJsonBody(deliveryBody)
  public async deliver(@CurrentOperator() operator: Operator, @ValidBody(deliveryBody) body: z.infer<typeof deliveryBody>): Promise<DeliveryReport> {
    const instanceId = `${body.workspaceId}_${body.appId}`;
    requirePermission(operator, 'operate', instanceId);
    let frame: Uint8Array;
    try {
      frame = encodeFrame(createFrame('pushMessage', body.message), { maxFrameBytes: this.comet.maxFrameBytes });
    } catch (error) {
      if (isProtocolError(error)) throw new ValidationError(`the message cannot be sent as a frame: ${error.message}`);
      throw error;
    }
    if (body.userId !== undefined) return this.comet.deliveries.deliverToUser(instanceId, body.userId, frame);
    return this.comet.deliveries.deliverToDevices(instanceId, body.deviceTokens ?? [], frame);
  }
}
