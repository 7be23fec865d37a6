import { Module } from '@nestjs/common';
import { TenancyRepositories } from './tenancy-repositories';

/** One set of tenancy repositories per process, whichever services it hosts. */
@Module({ providers: [TenancyRepositories], exports: [TenancyRepositories] })
export class TenancyModule {}
