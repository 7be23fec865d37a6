/**
 * The common per-message push statuses (mps.md §3.18) with our extensions 3, 4 and 5
 * (DECISIONS D4). They are the console's push details and a receipt's `statusCode`/`statusDesc`.
 */
export const PUSH_STATUS = {
  WAITING_FOR_VERIFY: -1,
  DEVICE_NOT_ONLINE: 0,
  NO_BIND_INFO: 1,
  ACKED: 2,
  REVOKED: 3,
  EXPIRED: 4,
  FAILED: 5,
  NONE: 99999999,
} as const;

export type PushStatus = (typeof PUSH_STATUS)[keyof typeof PUSH_STATUS];

/** The status `Message` column of §3.18, sent as a receipt's `statusDesc`. */
export const PUSH_STATUS_DESCRIPTIONS: Readonly<Record<PushStatus, string>> = {
  [PUSH_STATUS.WAITING_FOR_VERIFY]: 'WaitingForVerify',
  [PUSH_STATUS.DEVICE_NOT_ONLINE]: 'DeviceNotOnlineOrNoResponse',
  [PUSH_STATUS.NO_BIND_INFO]: 'NoBindInfo',
  [PUSH_STATUS.ACKED]: 'Acked',
  [PUSH_STATUS.REVOKED]: 'Revoked',
  [PUSH_STATUS.EXPIRED]: 'Expired',
  [PUSH_STATUS.FAILED]: 'Failed',
  [PUSH_STATUS.NONE]: 'NONE',
};
