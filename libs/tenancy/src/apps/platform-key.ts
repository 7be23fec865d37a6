import { generateKeyPair, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * The app's platform RSA-2048 key pair (DECISIONS D1): the platform signs receipts and user
 * consistency validation calls with it, so tenants can verify them with the public key.
 */
export type PlatformKeyPair = {
  /** PKCS#8 PEM; never leaves the store record through any API. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  createdAt: number;
};

export interface PlatformSigner {
  readonly publicKeyPem: string;
  /** SHA256withRSA, URL-safe base64 without padding (D4: query parameter `sign`). */
  sign(bytes: Uint8Array | string): string;
}

export async function newPlatformKeyPair(now: number): Promise<PlatformKeyPair> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, createdAt: now };
}

export function signWithPlatformKey(app: { platformKey: PlatformKeyPair }, bytes: Uint8Array | string): string {
  return sign('sha256', typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, app.platformKey.privateKeyPem).toString('base64url');
}

/** What a tenant does with a receipt or validation call: checks `sign` against the published key. */
export function verifyPlatformSignature(publicKeyPem: string, bytes: Uint8Array | string, signature: string): boolean {
  return verify('sha256', typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, publicKeyPem, Buffer.from(signature, 'base64url'));
}

export function platformSignerOf(app: { platformKey: PlatformKeyPair }): PlatformSigner {
  return { publicKeyPem: app.platformKey.publicKeyPem, sign: (bytes) => signWithPlatformKey(app, bytes) };
}
