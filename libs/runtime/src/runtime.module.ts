import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Registry } from 'prom-client';
import type { Infrastructure, PlatformLogger, ReadinessProbe, ServiceLinks } from '@pushsync/platform';
import { RestExceptionFilter } from './http/exception.filter';
import { Lifecycle } from './lifecycle';
import { OpsController, READINESS_PROBES } from './ops/ops.controller';
import { BUS, CLOCK, KEY_VALUE, LOGGER, METRICS, SERVICE_INFO, SERVICE_LINKS, STORE, STREAM, systemClock, type ServiceInfo } from './tokens';

export interface RuntimeContext {
  info: ServiceInfo;
  infrastructure: Infrastructure;
  links: ServiceLinks;
  logger: PlatformLogger;
  metrics: Registry;
  probes: ReadinessProbe[];
}

/** Binds the ports, the logger, metrics, lifecycle and the ops endpoints for every module of a service. */
@Global()
@Module({})
export class RuntimeModule {
  public static forRoot(context: RuntimeContext): DynamicModule {
    const providers = [
      { provide: SERVICE_INFO, useValue: context.info },
      { provide: BUS, useValue: context.infrastructure.bus },
      { provide: STREAM, useValue: context.infrastructure.stream },
      { provide: STORE, useValue: context.infrastructure.store },
      { provide: KEY_VALUE, useValue: context.infrastructure.keyValue },
      { provide: SERVICE_LINKS, useValue: context.links },
      { provide: LOGGER, useValue: context.logger },
      { provide: METRICS, useValue: context.metrics },
      { provide: CLOCK, useValue: systemClock },
      { provide: READINESS_PROBES, useValue: context.probes },
      Lifecycle,
    ];
    return {
      module: RuntimeModule,
      controllers: [OpsController],
      providers: [...providers, { provide: APP_FILTER, useClass: RestExceptionFilter }],
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}
