import { randomBytes } from 'node:crypto';
import { signRestV1 } from '@pushsync/tenancy';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

async function answer<T>(response: Response): Promise<HttpAnswer<T>> {
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** The admin API as an operator uses it: `Authorization: Bearer <id>.<secret>`. */
export class AdminClient {
  public constructor(
    private readonly baseUrl: string,
    private readonly credential: string | undefined,
  ) {}

  public async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {};
    if (this.credential) headers.authorization = `Bearer ${this.credential}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return answer<T>(await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  }

  /** Creates an app and issues it an access key. */
  /** Creates an app and issues it an access key; answers them with the app's client key (for device handshakes). */
  public async newTenant(appId: string, workspaceId: string): Promise<{ appId: string; workspaceId: string; clientKey: string; accessKeyId: string; accessKeySecret: string }> {
    const created = await this.call<{ clientKey: string }>('POST', '/admin/v1/apps', { appId, workspaceId });
    if (created.status !== 201) throw new Error(`create app: ${created.status} ${JSON.stringify(created.body)}`);
    const key = await this.call<{ accessKeyId: string; accessKeySecret: string }>('POST', `/admin/v1/apps/${workspaceId}_${appId}/access-keys`);
    if (key.status !== 201) throw new Error(`issue key: ${key.status} ${JSON.stringify(key.body)}`);
    return { appId, workspaceId, clientKey: created.body.clientKey, ...key.body };
  }
}

export interface SignOverrides {
  date?: string;
  nonce?: string;
  secret?: string;
  /** Changes the body after signing, as a tampering proxy would. */
  tamperBody?: string;
  /** Sends another query than the one signed. */
  tamperQuery?: Record<string, string>;
}

/** A tenant server calling REST v1 with PS-HMAC-SHA256, as the server SDK will. */
export class TenantClient {
  public constructor(
    private readonly baseUrl: string,
    private readonly accessKeyId: string,
    private readonly secret: string,
  ) {}

  public async get<T = Record<string, unknown>>(path: string, query: Record<string, string>, overrides: SignOverrides = {}): Promise<HttpAnswer<T>> {
    const search = new URLSearchParams(query).toString();
    const headers = signRestV1({
      accessKeyId: this.accessKeyId,
      secret: overrides.secret ?? this.secret,
      method: 'GET',
      path,
      query: search,
      body: '',
      date: overrides.date,
      nonce: overrides.nonce ?? randomBytes(12).toString('hex'),
    });
    const sent = overrides.tamperQuery ? new URLSearchParams(overrides.tamperQuery).toString() : search;
    return answer<T>(await fetch(`${this.baseUrl}${path}${sent ? `?${sent}` : ''}`, { headers: { ...headers } }));
  }

  public post<T = Record<string, unknown>>(path: string, body: unknown, overrides: SignOverrides = {}): Promise<HttpAnswer<T>> {
    return this.withBody<T>('POST', path, body, overrides);
  }

  public put<T = Record<string, unknown>>(path: string, body: unknown, overrides: SignOverrides = {}): Promise<HttpAnswer<T>> {
    return this.withBody<T>('PUT', path, body, overrides);
  }

  /** DELETE naming the app in the query (no body), as REST v1 deletes do. */
  public async delete<T = Record<string, unknown>>(path: string, query: Record<string, string>, overrides: SignOverrides = {}): Promise<HttpAnswer<T>> {
    const search = new URLSearchParams(query).toString();
    const headers = signRestV1({
      accessKeyId: this.accessKeyId,
      secret: overrides.secret ?? this.secret,
      method: 'DELETE',
      path,
      query: search,
      body: '',
      date: overrides.date,
      nonce: overrides.nonce ?? randomBytes(12).toString('hex'),
    });
    return answer<T>(await fetch(`${this.baseUrl}${path}${search ? `?${search}` : ''}`, { method: 'DELETE', headers: { ...headers } }));
  }

  private async withBody<T>(method: 'POST' | 'PUT', path: string, body: unknown, overrides: SignOverrides): Promise<HttpAnswer<T>> {
    const text = JSON.stringify(body);
    const headers = signRestV1({
      accessKeyId: this.accessKeyId,
      secret: overrides.secret ?? this.secret,
      method,
      path,
      body: text,
      date: overrides.date,
      nonce: overrides.nonce ?? randomBytes(12).toString('hex'),
    });
    return answer<T>(await fetch(this.baseUrl + path, { method, headers: { ...headers, 'content-type': 'application/json' }, body: overrides.tamperBody ?? text }));
  }

  /** PATCH with a JSON body (sync configuration edits). */
  public async patch<T = Record<string, unknown>>(path: string, body: unknown): Promise<HttpAnswer<T>> {
    const text = JSON.stringify(body);
    const headers = signRestV1({ accessKeyId: this.accessKeyId, secret: this.secret, method: 'PATCH', path, body: text, nonce: randomBytes(12).toString('hex') });
    return answer<T>(await fetch(this.baseUrl + path, { method: 'PATCH', headers: { ...headers, 'content-type': 'application/json' }, body: text }));
  }
}
