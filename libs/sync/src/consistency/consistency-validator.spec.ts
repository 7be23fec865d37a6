import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newPlatformKeyPair, platformSignerOf, verifyPlatformSignature, type PlatformKeyPair } from '@pushsync/tenancy';
import { ConsistencyValidator, withSignQuery } from './consistency-validator';

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A tenant's validation interface on 127.0.0.1, answering with whatever the test sets. */
class TenantServer {
  public readonly received: Received[] = [];
  public answer: (response: ServerResponse) => void = (response) => response.end();
  private server!: Server;

  public async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ method: request.method ?? '', url: request.url ?? '', contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        this.answer(response);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const json = (status: number, body: unknown) => (response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

describe('ConsistencyValidator', () => {
  let key: PlatformKeyPair;
  let tenant: TenantServer;
  let base: string;
  const validator = new ConsistencyValidator();
  const target = (validationUrl: string) => ({ instanceId: 'ws1_app1', validationUrl, signer: platformSignerOf({ platformKey: key }) });

  beforeAll(async () => {
    key = await newPlatformKeyPair(0);
  });

  beforeEach(async () => {
    tenant = new TenantServer();
    base = await tenant.start();
  });

  afterEach(() => tenant.stop());

  it('POSTs the fixed JSON body, signed in the sign query with the platform key', async () => {
    tenant.answer = json(200, { resultCode: 'OK', resultMsg: 'Operation is done successfully', success: true, result: { sid: 'kkdddd', valid: true } });
    expect(await validator.validate(target(`${base}/validate`), '20880939', 'kkdddd')).toEqual({ outcome: 'valid', reason: 'valid' });

    const [call] = tenant.received;
    expect(call.method).toBe('POST');
    expect(call.contentType).toBe('application/json');
    expect(call.body).toBe('{"operationType":"com.antcloud.session.validate","instanceId":"ws1_app1","userId":"20880939","sessionId":"kkdddd"}');
    const url = new URL(call.url, base);
    expect(url.pathname).toBe('/validate');
    const sign = url.searchParams.get('sign')!;
    expect(sign).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyPlatformSignature(key.publicKeyPem, call.body, sign)).toBe(true);
    expect(verifyPlatformSignature(key.publicKeyPem, call.body.replace('kkdddd', 'other'), sign)).toBe(false);
  });

  it("keeps the tenant's own query as written and appends sign with &", async () => {
    tenant.answer = json(200, { response: { resultCode: 'OK', success: 'true', result: '{"valid":"true"}' } });
    expect((await validator.validate(target(`${base}/rpc?op=a%20b&x=1#frag`), 'u1', 's1')).outcome).toBe('valid');
    const [call] = tenant.received;
    expect(call.url).toMatch(/^\/rpc\?op=a%20b&x=1&sign=[A-Za-z0-9_-]+$/);
    expect(verifyPlatformSignature(key.publicKeyPem, call.body, new URL(call.url, base).searchParams.get('sign')!)).toBe(true);
  });

  it("records the tenant's negative answer as invalid with its reason", async () => {
    tenant.answer = json(200, { resultCode: 'OK', success: true, result: { sid: 's1', valid: false } });
    expect(await validator.validate(target(`${base}/validate`), 'u1', 's1')).toEqual({ outcome: 'invalid', reason: 'the tenant answered result.valid = false' });
    tenant.answer = json(200, { resultCode: 'OPERATION_ERROR', success: false });
    expect(await validator.validate(target(`${base}/validate`), 'u1', 's1')).toEqual({ outcome: 'invalid', reason: 'success is false' });
  });

  it('is an error when the tenant answers non-2xx, even with a valid body', async () => {
    tenant.answer = json(500, { resultCode: 'OK', success: true, result: { valid: true } });
    expect(await validator.validate(target(`${base}/validate`), 'u1', 's1')).toEqual({ outcome: 'error', reason: 'the validation URL answered HTTP 500' });
  });

  it('does not follow redirects', async () => {
    tenant.answer = (response) => {
      response.writeHead(302, { location: `${base}/elsewhere` });
      response.end();
    };
    expect(await validator.validate(target(`${base}/validate`), 'u1', 's1')).toEqual({ outcome: 'error', reason: 'the validation URL answered HTTP 302' });
    expect(tenant.received).toHaveLength(1);
  });

  it('is an error when the tenant does not answer in time', async () => {
    tenant.answer = () => undefined;
    const impatient = new ConsistencyValidator({ timeoutMs: 200 });
    const started = Date.now();
    expect(await impatient.validate(target(`${base}/validate`), 'u1', 's1')).toEqual({ outcome: 'error', reason: 'the validation URL did not answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is an error when nothing listens at the URL', async () => {
    await tenant.stop();
    const result = await validator.validate(target(`${base}/validate`), 'u1', 's1');
    expect(result.outcome).toBe('error');
    expect(result.reason).toMatch(/^the validation call failed: fetch failed: .*ECONNREFUSED/);
    tenant = new TenantServer();
    await tenant.start();
  });

  it('uses the injected fetch', async () => {
    const calls: string[] = [];
    const fake = new ConsistencyValidator({
      fetch: async (input) => {
        calls.push(String(input));
        return new Response('{"resultCode":"OK","success":true,"result":{"valid":true}}', { status: 200 });
      },
    });
    expect((await fake.validate(target('https://tenant.example/validate'), 'u1', 's1')).outcome).toBe('valid');
    expect(calls[0]).toMatch(/^https:\/\/tenant\.example\/validate\?sign=/);
  });
});

describe('withSignQuery', () => {
  it('starts, extends or completes the query and drops the fragment', () => {
    expect(withSignQuery('https://h/p', 'S')).toBe('https://h/p?sign=S');
    expect(withSignQuery('https://h/p?a=1', 'S')).toBe('https://h/p?a=1&sign=S');
    expect(withSignQuery('https://h/p?', 'S')).toBe('https://h/p?sign=S');
    expect(withSignQuery('https://h/p?a=1&', 'S')).toBe('https://h/p?a=1&sign=S');
    expect(withSignQuery('https://h/p#x?y', 'S')).toBe('https://h/p?sign=S');
  });
});
