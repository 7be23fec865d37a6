import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import RPCClient from '@alicloud/pop-core';

import { verifyOpenApiRequest } from './open-api-verifier';
import { ReplayGuard } from './replay-guard';
import { InMemoryNonceStore } from './testing/in-memory-nonce-store';
import { verifyRpcRequest } from './rpc-signature';
import type { SignedHttpRequest } from './signed-request';


const SECRETS: Record<string, { secret: string }> = { 'LTAI-pushsync': { secret: 'pop-core-secret' } };

function newContext(now: number, secrets = SECRETS) {
  return { lookupKey: (id: string) => secrets[id], clock: { now: () => now }, replayGuard: new ReplayGuard(new InMemoryNonceStore()) };
}

interface CapturedRequest extends SignedHttpRequest {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

describe('RPC v1 requests sent by @alicloud/pop-core', () => {
  let server: Server;
  let client: RPCClient;
  const captured: CapturedRequest[] = [];
  const pushSimple = {
    AppId: 'ONEX570DA89211720',
    WorkspaceId: 'test',
    TargetMsgkey: 'x',
    DeliveryType: 3,
    TaskName: 'hello world*',
    TemplateName: 'tpl',
    TemplateKeyValue: '{"name":"张三"}',
    ExpiredSeconds: 300,
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"RequestId":"r1","ResultCode":"OK"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new RPCClient({
      accessKeyId: 'LTAI-pushsync',
      accessKeySecret: 'pop-core-secret',
      endpoint: `http://127.0.0.1:${port}`,
      apiVersion: '2020-10-28',
    });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function send(method: 'GET' | 'POST'): Promise<{ request: CapturedRequest; signedAt: number }> {
    await expect(client.request('PushSimple', pushSimple, { method })).resolves.toEqual({ RequestId: 'r1', ResultCode: 'OK' });
    const request = captured[captured.length - 1];
    const parameters = new URLSearchParams(method === 'POST' ? request.body.toString() : request.url.slice(2));
    return { request, signedAt: Date.parse(parameters.get('Timestamp') ?? '') };
  }

  it('POST: everything, Signature included, is in the form body; the URL is "/"', async () => {
    const { request, signedAt } = await send('POST');
    expect(request).toMatchObject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(request.body.toString()).toMatch(/(^|&)Signature=[^&]+$/);
    const authenticated = await verifyRpcRequest(request, newContext(signedAt));
    expect(authenticated).toEqual({
      scheme: 'HMAC-SHA1',
      accessKeyId: 'LTAI-pushsync',
      key: { secret: 'pop-core-secret' },
      parameters: {
        ...Object.fromEntries(Object.entries(pushSimple).map(([name, value]) => [name, String(value)])),
        Action: 'PushSimple',
        Format: 'JSON',
        Version: '2020-10-28',
      },
    });
  });

  it('GET: everything is in the query and there is no body', async () => {
    const { request, signedAt } = await send('GET');
    expect(request).toMatchObject({ method: 'GET', url: expect.stringMatching(/^\/\?AccessKeyId=LTAI-pushsync&Action=PushSimple&/) });
    expect(request.body).toHaveLength(0);
    await expect(verifyRpcRequest(request, newContext(signedAt))).resolves.toMatchObject({
      parameters: { Action: 'PushSimple', TaskName: 'hello world*', TemplateKeyValue: '{"name":"张三"}' },
    });
  });

  it('is dispatched to RPC v1 by verifyOpenApiRequest', async () => {
    const { request, signedAt } = await send('POST');
    await expect(verifyOpenApiRequest(request, newContext(signedAt))).resolves.toMatchObject({ scheme: 'HMAC-SHA1' });
  });

  it('accepts the parameters split between query and body (the Tea SDK layout)', async () => {
    const { request, signedAt } = await send('POST');
    const all = new URLSearchParams(request.body.toString());
    const common = ['AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature'];
    const query = new URLSearchParams([...all].filter(([name]) => common.includes(name)));
    const body = new URLSearchParams([...all].filter(([name]) => !common.includes(name)));
    const split = { ...request, url: `/?${query.toString()}`, body: Buffer.from(body.toString()) };
    await expect(verifyRpcRequest(split, newContext(signedAt))).resolves.toMatchObject({ parameters: { AppId: 'ONEX570DA89211720' } });
  });

  it.each(['POST', 'GET'] as const)('%s: refuses the same request with one parameter changed', async (method) => {
    const { request, signedAt } = await send(method);
    const tampered =
      method === 'POST'
        ? { ...request, body: Buffer.from(request.body.toString().replace('TargetMsgkey=x', 'TargetMsgkey=y')) }
        : { ...request, url: request.url.replace('TargetMsgkey=x', 'TargetMsgkey=y') };
    await expect(verifyRpcRequest(tampered, newContext(signedAt))).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      serverStringToSign: expect.stringContaining('TargetMsgkey%3Dy'),
    });
  });

  it('refuses a POST verified as if it were a GET (the method is signed)', async () => {
    const { request, signedAt } = await send('POST');
    const url = `/?${request.body.toString()}`;
    await expect(verifyRpcRequest({ method: 'GET', url, headers: {}, body: Buffer.alloc(0) }, newContext(signedAt))).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
    });
  });

  it('refuses a request whose key has another secret', async () => {
    const { request, signedAt } = await send('POST');
    const context = newContext(signedAt, { 'LTAI-pushsync': { secret: 'rotated-secret' } });
    await expect(verifyRpcRequest(request, context)).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses an unknown AccessKeyId', async () => {
    const { request, signedAt } = await send('POST');
    await expect(verifyRpcRequest(request, newContext(signedAt, {}))).rejects.toMatchObject({ code: 'UNKNOWN_ACCESS_KEY' });
  });

  it('refuses a replayed SignatureNonce', async () => {
    const { request, signedAt } = await send('POST');
    const context = newContext(signedAt);
    await expect(verifyRpcRequest(request, context)).resolves.toBeDefined();
    await expect(verifyRpcRequest(request, context)).rejects.toMatchObject({
      code: 'NONCE_REPLAYED',
      message: expect.stringContaining('SignatureNonce'),
    });
  });

  it.each([
    ['16 minutes old', 16 * 60_000, 'REQUEST_EXPIRED'],
    ['16 minutes in the future', -16 * 60_000, 'REQUEST_EXPIRED'],
    ['14 minutes old', 14 * 60_000, undefined],
  ])('a Timestamp %s', async (_case, clockAhead, code) => {
    const { request, signedAt } = await send('GET');
    const verification = verifyRpcRequest(request, newContext(signedAt + clockAhead));
    await (code === undefined ? expect(verification).resolves.toBeDefined() : expect(verification).rejects.toMatchObject({ code }));
  });

  it.each<[string, (form: URLSearchParams) => void, string]>([
    ['no Signature', (form) => form.delete('Signature'), 'MISSING_AUTHORIZATION'],
    ['no AccessKeyId', (form) => form.delete('AccessKeyId'), 'MISSING_AUTHORIZATION'],
    ['another SignatureMethod', (form) => form.set('SignatureMethod', 'HMAC-SHA256'), 'UNSUPPORTED_SIGNATURE_METHOD'],
    ['another SignatureVersion', (form) => form.set('SignatureVersion', '2.0'), 'UNSUPPORTED_SIGNATURE_METHOD'],
    ['no SignatureMethod', (form) => form.delete('SignatureMethod'), 'MALFORMED_AUTHORIZATION'],
    ['a Timestamp with an offset', (form) => form.set('Timestamp', '2026-01-01T08:00:00+08:00'), 'INVALID_DATE'],
    ['no Timestamp', (form) => form.delete('Timestamp'), 'INVALID_DATE'],
    ['no SignatureNonce', (form) => form.delete('SignatureNonce'), 'INVALID_NONCE'],
    ['a parameter sent twice', (form) => form.append('AppId', 'ONEX570DA89211720'), 'MALFORMED_AUTHORIZATION'],
  ])('refuses a request with %s', async (_case, edit, code) => {
    const { request, signedAt } = await send('POST');
    const form = new URLSearchParams(request.body.toString());
    edit(form);
    const edited = { ...request, body: Buffer.from(form.toString()) };
    await expect(verifyRpcRequest(edited, newContext(signedAt))).rejects.toMatchObject({ code });
  });
});
