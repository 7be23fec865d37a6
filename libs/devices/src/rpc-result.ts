/** The client RPC answer of mps.md §4 (`ResultPbPB`): success, code, name, message. */
export interface RpcResult {
  success: boolean;
  code: number;
  name: string;
  message: string;
}

export const RPC_SUCCESS: RpcResult = Object.freeze({ success: true, code: 100, name: 'SUCCESS', message: 'success' });

export function rpcFailure(code: number, name: string, message: string): RpcResult {
  return { success: false, code, name, message };
}

/** The codes client RPCs answer with (mps.md §3.17 / §4). */
export const RPC_FAILURES = {
  NEED_USERID: () => rpcFailure(3012, 'NEED_USERID', 'need userid'),
  NEED_DELIVERYTOKEN: () => rpcFailure(3001, 'NEED_DELIVERYTOKEN', 'need token'),
  DELIVERYTOKEN_INVALID: () => rpcFailure(3054, 'DELIVERYTOKEN_INVALID', 'illegal MPS self-built channel token'),
  INVALID_PARAM: (message: string) => rpcFailure(3028, 'INVALID_PARAM', message),
} as const;
