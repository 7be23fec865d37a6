import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export const SELF_SIGNED_CERT_FILE = 'comet-tls-cert.pem';
export const SELF_SIGNED_KEY_FILE = 'comet-tls-key.pem';

/**
 * The certificate of the comet TLS listener: the operator's PEM files when configured, else a
 * self-signed one (DECISIONS D6) generated into the data directory at the first start and reused
 * afterwards. Generated with the pure-JS `selfsigned` package (Node can verify but not issue X.509).
 */
export async function cometTlsCredentials(options: { certFile?: string; keyFile?: string; dataDir: string }): Promise<{ cert: string; key: string; selfSigned: boolean; certPath: string }> {
  if (options.certFile && options.keyFile) {
    return { cert: readFileSync(options.certFile, 'utf8'), key: readFileSync(options.keyFile, 'utf8'), selfSigned: false, certPath: options.certFile };
  }
  const certPath = join(options.dataDir, SELF_SIGNED_CERT_FILE);
  const keyPath = join(options.dataDir, SELF_SIGNED_KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), selfSigned: true, certPath };
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 10);
  const pems = await generate([{ name: 'commonName', value: 'pushsync-comet' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, selfSigned: true, certPath };
}
