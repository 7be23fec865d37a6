import type { PlatformSigner } from '@pushsync/tenancy';
import { PUSH_STATUS, PUSH_STATUS_DESCRIPTIONS, type PushStatus } from './push-status';

/** Receipts are sent on `Acked` and on the final states Revoked, Expired and Failed (DECISIONS D4). */
export type ReceiptStatus = typeof PUSH_STATUS.ACKED | typeof PUSH_STATUS.REVOKED | typeof PUSH_STATUS.EXPIRED | typeof PUSH_STATUS.FAILED;

const RECEIPT_STATUSES: ReadonlySet<PushStatus> = new Set<PushStatus>([PUSH_STATUS.ACKED, PUSH_STATUS.REVOKED, PUSH_STATUS.EXPIRED, PUSH_STATUS.FAILED]);

/** Whether a status change is one a receipt is sent for. */
export function isReceiptStatus(status: PushStatus): status is ReceiptStatus {
  return RECEIPT_STATUSES.has(status);
}

/** `extInfo.osType`: the platform of the device the message went to. */
export type ReceiptOsType = 'android' | 'ios' | 'harmony' | 'web';

/** One message's status on one device, as the push status pipeline reports it. */
export interface Receipt {
  /** The customer's business message id, e.g. `console_1584853300103`. */
  msgId: string;
  status: ReceiptStatus;
  /** The target as the push named it: a device token, or the userId of a user target. */
  targetId: string;
  /** The device token the message went to. */
  deviceToken: string;
  osType: ReceiptOsType;
}

/** The JSON body of mps.md §3.19, `statusCode` a numeric string (DECISIONS D4). */
export interface ReceiptBody {
  extInfo: { adToken: string; osType: ReceiptOsType };
  msgId: string;
  pushSuccess: boolean;
  statusCode: string;
  statusDesc: string;
  targetId: string;
}

export const RECEIPT_CONTENT_TYPE = 'application/json; charset=utf-8';

export function receiptBodyOf(receipt: Receipt): ReceiptBody {
  return {
    extInfo: { adToken: receipt.deviceToken, osType: receipt.osType },
    msgId: receipt.msgId,
    pushSuccess: receipt.status === PUSH_STATUS.ACKED,
    statusCode: String(receipt.status),
    statusDesc: PUSH_STATUS_DESCRIPTIONS[receipt.status],
    targetId: receipt.targetId,
  };
}

/**
 * The body text, keys in the order of the §3.19 example (alphabetical, as the mPaaS sender
 * writes them) whatever order the object was built in. It is serialised once at enqueue and
 * stored: the bytes signed at each attempt are the stored bytes, and they are what is sent.
 */
export function serializeReceiptBody(body: ReceiptBody): string {
  return JSON.stringify({
    extInfo: { adToken: body.extInfo.adToken, osType: body.extInfo.osType },
    msgId: body.msgId,
    pushSuccess: body.pushSuccess,
    statusCode: body.statusCode,
    statusDesc: body.statusDesc,
    targetId: body.targetId,
  });
}

export interface SignedReceiptRequest {
  /** The receipt URL with the `sign` query parameter appended. */
  url: string;
  /** The UTF-8 bytes of the body, exactly the bytes that were signed. */
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Signs the body SHA256withRSA with the app's platform key. `sign` is base64 with `+` as `-` and
 * `/` as `_` and WITHOUT the `==` padding (a 2048-bit signature is always 256 bytes, so the
 * padding is always exactly `==`): nothing in it needs escaping in a query string, and it is the
 * same encoding the platform key uses for validation calls. Java's Base64 decoder and Node's accept
 * it as is after reversing `-`/`_`; strict decoders (Python's b64decode) need `==` appended.
 */
export function signedReceiptRequest(receiptUrl: string, serializedBody: string, signer: PlatformSigner): SignedReceiptRequest {
  const body = new TextEncoder().encode(serializedBody);
  return { url: withSignParameter(receiptUrl, signer.sign(body)), body };
}

/** Appends `sign` to the tenant's query as written (no re-encoding of its own parameters) and drops any fragment. */
function withSignParameter(receiptUrl: string, sign: string): string {
  const url = new URL(receiptUrl);
  url.hash = '';
  url.search = url.search === '' ? `sign=${sign}` : `${url.search.slice(1)}&sign=${sign}`;
  return url.href;
}
