export * from './authentication.errors';
export { ReplayGuard, NONCE_TTL_MS, nonceStoreKey, type NonceClaim, type NonceStore } from './replay-guard';
export type { AccessKeySecret, HeaderMap, OpenApiAuthentication, SignedHttpRequest, VerificationContext } from './signed-request';
export { percentEncode } from './signature-primitives';
export {
  REST_V1_DATE_HEADER,
  REST_V1_HMAC_SCHEME,
  REST_V1_NONCE_HEADER,
  REST_V1_RSA_SCHEME,
  REST_V1_SCHEMES,
  canonicalQuery,
  parseAuthorization,
  signRestV1,
  stringToSign,
  type QueryInput,
  type QueryValue,
  type RestV1Authorization,
  type RestV1Scheme,
  type RestV1SignedHeaders,
  type RestV1SignedParts,
  type RestV1SigningKey,
  type RestV1SigningRequest,
} from './rest-v1-signature';
export { REST_V1_CLOCK_SKEW_MS, verifyRestV1, type RestV1Authentication, type RestV1Key } from './rest-v1-verifier';
export { RPC_CLOCK_SKEW_MS, RPC_SIGNATURE_METHOD, RPC_SIGNATURE_VERSION, rpcSignature, rpcStringToSign, verifyRpcRequest } from './rpc-signature';
export {
  ACS3_CLOCK_SKEW_MS,
  ACS3_SCHEME,
  acs3CanonicalRequest,
  parseAcs3Authorization,
  signAcs3,
  verifyAcs3,
  type Acs3Authorization,
  type Acs3CanonicalParts,
  type Acs3SigningRequest,
} from './acs3-signature';
export { verifyOpenApiRequest } from './open-api-verifier';
