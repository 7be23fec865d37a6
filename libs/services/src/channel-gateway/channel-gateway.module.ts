import { Module } from '@nestjs/common';

/** Vendor channel adapters (vendor channel issue); today the process serves its ops endpoints. */
@Module({})
export class ChannelGatewayModule {}
