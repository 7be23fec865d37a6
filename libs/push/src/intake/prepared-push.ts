import type { BroadcastAudience, DeliveryType, PushType } from '../push-request';
import type { RenderedMessage } from '../messages/push-message';

/**
 * A push checked and rendered, ready to execute now or when its schedule fires (DECISIONS D4:
 * scheduled pushes store the rendered message). JSON-serialisable.
 */
export interface PreparedPush {
  type: PushType;
  taskName: string;
  deliveryType: DeliveryType;
  expiredSeconds: number;
  templateName: string;
  /** One per target; a broadcast has one entry with target ''. */
  entries: Array<{ target: string; msgKey: string; message: RenderedMessage }>;
  audience: BroadcastAudience | null;
  /** A broadcast's `rate`; absent from pushes scheduled before rates existed. */
  ratePerMinute?: number | null;
  /** 0 API, 1 console. */
  createType: 0 | 1;
}

export interface PushApp {
  appId: string;
  workspaceId: string;
  /** UTC offset such as `+08:00` (tenancy), for schedules. */
  timeZone: string;
}
