import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Lifecycle, type Clock } from '@pushsync/runtime';
import { TenancyServices } from './tenancy-services';
import { API_GATEWAY_OPTIONS, type ApiGatewayOptions } from './api-gateway.options';

/** Makes sure an owner admin key exists at start; a generated one is printed once, never logged. */
@Injectable()
export class BootstrapOwner {
  public constructor(tenancy: TenancyServices, lifecycle: Lifecycle, @Inject(API_GATEWAY_OPTIONS) options: ApiGatewayOptions, @Inject(CLOCK) clock: Clock) {
    lifecycle.register({
      name: 'bootstrap owner key',
      start: () =>
        tenancy.operatorAuthentication.ensureBootstrapOwner({
          configured: options.PUSHSYNC_ADMIN_KEY,
          now: clock.now(),
          announce: (credential) =>
            process.stdout.write(
              `\nA bootstrap owner admin key was generated. It is shown only this once; keep it:\n\n  PUSHSYNC_ADMIN_KEY=${credential}\n\nUse it as: Authorization: Bearer ${credential}\n\n`,
            ),
        }),
    });
  }
}
