import { ReplayGuard } from './replay-guard';
import { InMemoryNonceStore } from './testing/in-memory-nonce-store';
import { rpcSignature, rpcStringToSign, verifyRpcRequest } from './rpc-signature';
import type { SignedHttpRequest } from './signed-request';


const newContext = (now: number) => ({
  lookupKey: (id: string) => (id === 'testid' ? { secret: 'testsecret' } : undefined),
  clock: { now: () => now },
  replayGuard: new ReplayGuard(new InMemoryNonceStore()),
});

describe('RPC v1 signature, documented Alibaba Cloud example', () => {
  // help.aliyun.com "RPC signature": DescribeRegions signed with testid / testsecret.
  const documentedParameters = {
    Timestamp: '2016-02-23T12:46:24Z',
    Format: 'XML',
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    Version: '2014-05-26',
    SignatureVersion: '1.0',
  };

  it('reproduces the documented StringToSign and Signature', () => {
    const stringToSign = rpcStringToSign('GET', documentedParameters);
    expect(stringToSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
        '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(rpcSignature(stringToSign, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('verifies the documented signed URL, whose Signature carries a raw "+"', async () => {
    const request: SignedHttpRequest = {
      method: 'GET',
      url:
        '/?SignatureVersion=1.0&Action=DescribeRegions&Format=XML&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf' +
        '&Version=2014-05-26&AccessKeyId=testid&Signature=OLeaidS1JvxuMvnyHOwuJ+uX5qY=&SignatureMethod=HMAC-SHA1' +
        '&Timestamp=2016-02-23T12%3A46%3A24Z',
      headers: { host: 'ecs.aliyuncs.com' },
    };
    await expect(verifyRpcRequest(request, newContext(Date.parse('2016-02-23T12:50:00Z')))).resolves.toEqual({
      scheme: 'HMAC-SHA1',
      accessKeyId: 'testid',
      key: { secret: 'testsecret' },
      parameters: { Action: 'DescribeRegions', Format: 'XML', Version: '2014-05-26' },
    });
  });

  it('leaves Signature out, and encodes values once in the pairs and again as a whole', () => {
    const parameters = new Map([
      ['TemplateKeyValue', '{"name":"张三"}'],
      ['Signature', 'ignored'],
      ['Action', 'PushTemplate'],
    ]);
    expect(rpcStringToSign('post', parameters)).toBe(
      'POST&%2F&Action%3DPushTemplate%26TemplateKeyValue%3D%257B%2522name%2522%253A%2522%25E5%25BC%25A0%25E4%25B8%2589%2522%257D',
    );
  });
});
