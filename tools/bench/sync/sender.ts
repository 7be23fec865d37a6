/**
 * The tenant server of the sync benchmark: signed REST v1 POSTs (PS-HMAC-SHA256, `signRestV1` of
 * @pushsync/tenancy, as the server SDK signs) over node:http with keep-alive sockets, lighter than
 * fetch on a machine the services under test share.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signRestV1 } from '@pushsync/tenancy';

export interface Answer {
  status: number;
  code: string;
  ms: number;
}

export class SignedSender {
  private readonly agent: Agent;
  private readonly url: URL;

  public constructor(
    baseUrl: string,
    private readonly accessKeyId: string,
    private readonly secret: string,
    sockets: number,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** POSTs `body` to `path`; resolves with the HTTP status, the body's `code` and the round trip. */
  public post(path: string, body: unknown): Promise<Answer> {
    const text = JSON.stringify(body);
    const headers = signRestV1({ accessKeyId: this.accessKeyId, secret: this.secret, method: 'POST', path, body: text });
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = performance.now() - started;
            let code = `HTTP_${res.statusCode}`;
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: unknown };
              if (typeof parsed.code === 'string') code = parsed.code;
            } catch {
              // not JSON: keep HTTP_<status>
            }
            resolve({ status: res.statusCode ?? 0, code, ms });
          });
          res.on('error', (error) => resolve({ status: 0, code: `ERR_${error.message}`, ms: performance.now() - started }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, code: `ERR_${error.code ?? error.message}`, ms: performance.now() - started }));
      req.end(text);
    });
  }

  public close(): void {
    this.agent.destroy();
  }
}
