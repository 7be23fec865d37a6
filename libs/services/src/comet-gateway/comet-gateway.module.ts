import { Module } from '@nestjs/common';

/** Persistent client connections (comet issue); today the process serves its ops endpoints. */
@Module({})
export class CometGatewayModule {}
