import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AdminClient, ServiceProcess, freePort } from '@pushsync/testing';

/**
 * The official Alibaba Cloud Java SDKs from Maven Central against the mPaaS OpenAPI face:
 * tools/compat/mpaas-java (MpaasSdkCall) signs with tea-openapi (ACS3-HMAC-SHA256 by default, RPC v1
 * with signatureAlgorithm "v2") and with aliyun-java-sdk-core (RPC v1), and prints one JSON line per call.
 * Needs Java 17+ and Maven 3.8+ (CI has both); a cold Maven resolve downloads the SDKs once into ~/.m2.
 */
const ROOT = join(__dirname, '..', '..', '..');
const POM = join(ROOT, 'tools/compat/mpaas-java/pom.xml');
const BUILD = join(ROOT, 'dist/compat/mpaas-java');
const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
/** Set to build with the generated client com.aliyun:mpaas20201028 too (profile mpaas-typed; needs that artifact). */
const TYPED = process.env.PUSHSYNC_MPAAS_TYPED === '1';

interface CallLine {
  client: string;
  status?: number;
  resultCode?: string;
  resultMessage?: string;
  appId?: string;
  workspaceId?: string;
  /** Set when the SDK raised the gateway's answer as an exception (TeaException, ClientException). */
  error?: string;
  code?: string;
  message?: string;
  skipped?: string;
}

/** What a DescribeServiceStatus assertion compares; the SDK error fields show up in a failure's diff. */
function describeOutcome(line: CallLine | undefined): Partial<CallLine> {
  return { status: line?.status, resultCode: line?.resultCode, appId: line?.appId, workspaceId: line?.workspaceId, error: line?.error, code: line?.code };
}
const DESCRIBED = { status: 200, resultCode: 'OK', appId: 'app-java', workspaceId: 'ws-java', error: undefined, code: undefined };

function run(file: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: error && typeof error.code !== 'number' ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

function requireTool(command: string, args: string[], what: string): void {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`${what} ("${command} ${args.join(' ')}" failed: ${probe.error?.message ?? `exit ${probe.status}`}). This e2e compiles and runs tools/compat/mpaas-java; install a JDK 17+ and Maven 3.8+ (Debian: apt-get install openjdk-17-jdk-headless maven).`);
  }
}

async function compileProbe(): Promise<string> {
  requireTool('java', ['-version'], 'java is not on PATH');
  requireTool('mvn', ['-v'], 'mvn (Maven) is not on PATH');
  const build = await run('mvn', ['-q', '-B', '-f', POM, ...(TYPED ? ['-Pmpaas-typed'] : []), 'compile'], 200_000);
  if (build.code !== 0) throw new Error(`mvn compile of ${POM} failed (exit ${build.code}):\n${build.stdout}\n${build.stderr}`);
  return [join(BUILD, 'classes'), readFileSync(join(BUILD, 'classpath.txt'), 'utf8').trim()].join(delimiter);
}

describe('mPaaS OpenAPI face: official Alibaba Cloud Java SDKs (Maven Central)', () => {
  let dataDir: string;
  let standalone: ServiceProcess;
  let authentic: Record<string, CallLine>;
  let forged: Record<string, CallLine>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-mpaas-sdk-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '1000' }).start();
    const [classpath] = await Promise.all([compileProbe(), standalone.waitUntilReady(`${base}/readyz`)]);
    const tenant = await new AdminClient(base, OWNER).newTenant('app-java', 'ws-java');

    const callAll = async (secret: string): Promise<Record<string, CallLine>> => {
      const result = await run('java', ['-cp', classpath, 'io.pushsync.compat.MpaasSdkCall', base, tenant.accessKeyId, secret, tenant.appId, tenant.workspaceId], 60_000);
      if (result.code !== 0) throw new Error(`MpaasSdkCall exited with ${result.code}:\n${result.stdout}\n${result.stderr}\n--- standalone ---\n${standalone.stdout}`);
      const lines = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as CallLine);
      return Object.fromEntries(lines.map((line) => [line.client, line]));
    };
    authentic = await callAll(tenant.accessKeySecret);
    forged = await callAll(`${tenant.accessKeySecret}-wrong`);
  }, 240_000);

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports every client it was asked to run', () => {
    expect(Object.keys(authentic).sort()).toEqual(['core-describe', 'tea-describe', 'tea-pushsimple', 'tea-typed', 'tea-v2-describe']);
    expect(Object.keys(forged).sort()).toEqual(Object.keys(authentic).sort());
  });

  it('authenticates a Tea SDK PushSimple (ACS3-HMAC-SHA256, form body) as the generated mPaaS client sends it', () => {
    // PushSimple is not implemented yet: any ResultCode at HTTP 200 means the signature was accepted
    // (authentication failures are HTTP 401, which the SDK raises as an exception).
    for (const client of ['tea-pushsimple', ...(authentic['tea-typed']?.skipped ? [] : ['tea-typed'])]) {
      const line = authentic[client];
      expect({ client, status: line.status, error: line.error, code: line.code }).toEqual({ client, status: 200, error: undefined, code: undefined });
      expect(typeof line.resultCode).toBe('string');
    }
    if (TYPED) expect(authentic['tea-typed'].skipped).toBeUndefined();
  });

  it('answers DescribeServiceStatus from the Tea SDK callApi (ACS3-HMAC-SHA256, query parameters, no body)', () => {
    expect(describeOutcome(authentic['tea-describe'])).toEqual(DESCRIBED);
  });

  it('answers DescribeServiceStatus from the Tea SDK with signatureAlgorithm v2 (RPC signature v1, all in the query)', () => {
    expect(describeOutcome(authentic['tea-v2-describe'])).toEqual(DESCRIBED);
  });

  it('answers DescribeServiceStatus from aliyun-java-sdk-core CommonRequest (RPC signature v1, form body)', () => {
    expect(describeOutcome(authentic['core-describe'])).toEqual(DESCRIBED);
  });

  it('refuses every call signed with a wrong secret, and the SDKs raise SIGNATURE_MISMATCH', () => {
    const refusals = Object.values(forged)
      .filter((line) => !line.skipped)
      .map((line) => ({ client: line.client, error: line.error, code: line.code, ...(line.error === 'TeaException' ? { status: line.status } : {}) }));
    const expected = Object.values(forged)
      .filter((line) => !line.skipped)
      .map((line) => {
        const exception = line.client.startsWith('core-') ? 'ClientException' : 'TeaException';
        return { client: line.client, error: exception, code: 'SIGNATURE_MISMATCH', ...(exception === 'TeaException' ? { status: 401 } : {}) };
      });
    expect(refusals).toEqual(expected);
  });
});
