export const API_GATEWAY_OPTIONS = Symbol('ApiGatewayOptions');

export interface ApiGatewayOptions {
  PUSHSYNC_ADMIN_KEY?: string;
  RATE_LIMIT_PER_APP: number;
}
