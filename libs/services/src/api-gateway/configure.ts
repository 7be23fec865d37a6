import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ReadinessProbe, ServiceDefinition, ServiceImplementation, ServiceLinks } from '@pushsync/platform';
import { PUSH_CORE, SYNC_CORE } from '@pushsync/contracts';
import { WEBAPI_SYNC_PATH, webapiFrameworkErrorHandler } from './tenant/webapi-sync.controller';

/**
 * Before listening: the OpenAPI document generated from the controllers is served at /docs.
 * (Raw bodies for signature checks, JSON and form alike, come from Nest's `rawBody` option.)
 */
export function configureApiGateway(app: NestFastifyApplication): void {
  acceptBodiesWithoutContentType(app);
  answerWebapiInItsOwnShape(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pushsync API')
      .setDescription('Tenant API (REST v1, signed with PS-HMAC-SHA256), mPaaS-compatible RPC face at `/`, and the admin API (Bearer admin key).')
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'PS-HMAC-SHA256 Credential=<accessKeyId>, Signature=<hex>' }, 'ps-hmac')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** api-gateway is ready only when the cores it calls answer. */
export function coreLinkProbes(links: ServiceLinks): ReadinessProbe[] {
  const probe = <S extends ServiceImplementation>(definition: ServiceDefinition<S>): ReadinessProbe => ({ name: `link ${definition.name}`, check: () => links.ping(definition) });
  return [probe(SYNC_CORE), probe(PUSH_CORE)];
}

/** The MSS private-cloud face answers `{success, msg}` even when Fastify refuses the body before the route runs. */
function answerWebapiInItsOwnShape(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (route.url.startsWith(WEBAPI_SYNC_PATH)) route.errorHandler = webapiFrameworkErrorHandler;
    });
}

/**
 * The Alibaba Cloud Tea SDKs POST query-only calls with `Transfer-Encoding: chunked`, an empty
 * body and no Content-Type; Fastify would refuse them with 415 before any route runs. Such a
 * body is kept raw (it is signed as is); a body of an unknown type still gets 415.
 */
function acceptBodiesWithoutContentType(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      if (request.headers['content-type'] !== undefined) {
        done(Object.assign(new Error(`unsupported content type ${request.headers['content-type']}`), { statusCode: 415 }), undefined);
        return;
      }
      (request as typeof request & { rawBody?: Buffer }).rawBody = body as Buffer;
      done(null, undefined);
    });
}
