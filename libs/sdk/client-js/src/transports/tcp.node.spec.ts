import { generate } from 'selfsigned';
import { PushSyncClient, type PushSyncError, TcpTransport } from '../node';
import { AsyncQueue } from '../testing/async-queue';
import { CometTestServer } from '../testing/comet-test.server';

/** A self-signed certificate for 127.0.0.1, made with the pure-JS `selfsigned` package (as the gateway does). */
async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

describe('TcpTransport over TLS', () => {
  let server: CometTestServer;
  let certificate: { key: string; cert: string };

  beforeAll(async () => {
    certificate = await selfSignedCertificate();
  });

  beforeEach(async () => {
    server = await new CometTestServer({ tls: certificate }).start();
  });

  afterEach(async () => {
    await server.stop();
  });

  async function clientWith(transport: TcpTransport): Promise<PushSyncClient> {
    const client = new PushSyncClient();
    await client.initialize({ endpoint: server.tcpEndpoint, appId: 'app', workspaceId: 'default', clientKey: 'k', transport, reconnect: { baseMs: 50, maxMs: 100 } });
    return client;
  }

  it('connects to a tls:// endpoint whose certificate it trusts', async () => {
    expect(server.tcpEndpoint).toMatch(/^tls:\/\//);
    const client = await clientWith(new TcpTransport({ tls: { ca: certificate.cert } }));
    client.appToForeground();
    try {
      const connection = await server.connections.next();
      await client.whenConnected(5000);
      connection.sendSyncData('TLS', '*', [{ id: 1 }]);
      const inbox = new AsyncQueue<number>('a TLS sync message');
      client.registerBiz('TLS', (message) => inbox.push(message.highestId));
      expect(await inbox.next()).toBe(1);
    } finally {
      await client.appToBackground();
    }
  });

  it('refuses a certificate it does not trust (TRANSPORT_ERROR) and keeps retrying', async () => {
    const client = await clientWith(new TcpTransport());
    const errors = new AsyncQueue<PushSyncError>('an error');
    client.on('error', (error) => errors.push(error));
    client.appToForeground();
    try {
      const error = await errors.next();
      expect(error.code).toBe('TRANSPORT_ERROR');
      expect(error.message).toMatch(/certificate/i);
      expect(client.isConnected()).toBe(false);
      expect((await errors.next()).code).toBe('TRANSPORT_ERROR');
    } finally {
      await client.appToBackground();
    }
  });
});
