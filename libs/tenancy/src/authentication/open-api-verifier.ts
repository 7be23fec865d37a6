import { verifyAcs3 } from './acs3-signature';
import { verifyRpcRequest } from './rpc-signature';
import { headerValue, type AccessKeySecret, type OpenApiAuthentication, type SignedHttpRequest, type VerificationContext } from './signed-request';

/**
 * The mPaaS OpenAPI face accepts both signatures the official SDKs use: an `ACS3-*`
 * Authorization header selects V3, anything else is RPC v1 (signature in the parameters).
 */
export function verifyOpenApiRequest<TKey extends AccessKeySecret>(
  request: SignedHttpRequest,
  context: VerificationContext<TKey>,
): Promise<OpenApiAuthentication<TKey>> {
  const authorization = headerValue(request.headers, 'authorization')?.trim() ?? '';
  return authorization.startsWith('ACS3-') ? verifyAcs3(request, context) : verifyRpcRequest(request, context);
}
