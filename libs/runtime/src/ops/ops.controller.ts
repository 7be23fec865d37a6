import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { checkReadiness, type ReadinessProbe } from '@pushsync/platform';
import { Lifecycle } from '../lifecycle';
import { METRICS } from '../tokens';

export const READINESS_PROBES = Symbol('ReadinessProbes');

/** Liveness, readiness (every dependency answers and the service has started) and Prometheus metrics. */
@ApiExcludeController()
@Controller()
export class OpsController {
  public constructor(
    private readonly lifecycle: Lifecycle,
    @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[],
    @Inject(METRICS) private readonly metrics: Registry,
  ) {}

  @Get('healthz')
  public healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  public async readyz(@Res() reply: FastifyReply): Promise<void> {
    const report = await checkReadiness(this.probes);
    const reason = this.lifecycle.notReadyReason;
    const ready = report.ready && reason === undefined;
    await reply.status(ready ? 200 : 503).send({ ready, ...(reason ? { reason } : {}), checks: report.checks });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  public async prometheus(): Promise<string> {
    return this.metrics.metrics();
  }
}
