import { Module } from '@nestjs/common';

/** Counters, analysis queries and event webhooks (later issues); today the process serves its ops endpoints. */
@Module({})
export class StatsModule {}
