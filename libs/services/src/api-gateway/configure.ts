import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ServiceLinks, ReadinessProbe } from '@pushsync/platform';
import { PUSH_CORE, SYNC_CORE } from '@pushsync/contracts';

/**
 * Before listening: the OpenAPI document generated from the controllers is served at /docs.
 * (Raw bodies for signature checks, JSON and form alike, come from Nest's `rawBody` option.)
 */
export function configureApiGateway(app: NestFastifyApplication): void {
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
  return [SYNC_CORE, PUSH_CORE].map((definition) => ({ name: `link ${definition.name}`, check: () => links.ping(definition) }));
}
