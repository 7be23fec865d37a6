import { DomainError } from '@pushsync/platform';

/** The bizType has no configuration, or it is offline (mss.md §2.11). */
export class BizNotOnlineError extends DomainError {
  public constructor(bizType: string) {
    super('BIZ_NOT_ONLINE', 'validation', `sync configuration ${bizType} does not exist or is not online`);
  }
}

/** The API does not match the configuration's range, in either direction (DECISIONS D3). */
export class NotSupportGlobalError extends DomainError {
  public constructor(bizType: string, pushRange: string) {
    super('NOT_SUPPORT_GLOBAL', 'validation', `sync configuration ${bizType} is a ${pushRange} configuration: use the ${pushRange === 'GLOBAL' ? 'global' : 'single'} data API`);
  }
}
