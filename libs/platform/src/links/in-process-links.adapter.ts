import { RemoteCallError } from './remote-call.error';
import type { ServiceDefinition, ServiceImplementation, ServiceLinks } from './service-links.port';

/**
 * Embedded service links: calls go straight to the implementation served in this process.
 * Requests and replies are copied, as a network hop would, so neither side can mutate the other's objects.
 */
export class InProcessServiceLinks implements ServiceLinks {
  public readonly kind = 'in-process' as const;
  private readonly served = new Map<string, ServiceImplementation>();

  public async serve<S extends ServiceImplementation>(definition: ServiceDefinition<S>, implementation: S): Promise<void> {
    this.served.set(definition.name, implementation);
  }

  public client<S extends ServiceImplementation>(definition: ServiceDefinition<S>): S {
    const client: ServiceImplementation = {};
    for (const method of definition.methods) {
      client[method] = async (request: unknown) => {
        const implementation = this.served.get(definition.name);
        if (!implementation) throw RemoteCallError.unavailable(definition.name, method, 'service is not running in this process');
        try {
          return structuredClone(await implementation[method](structuredClone(request)));
        } catch (error) {
          throw RemoteCallError.from(definition.name, method, error);
        }
      };
    }
    return client as S;
  }

  public async ping<S extends ServiceImplementation>(definition: ServiceDefinition<S>): Promise<void> {
    if (!this.served.has(definition.name)) throw RemoteCallError.unavailable(definition.name, 'ping', 'service is not running in this process');
  }

  public async close(): Promise<void> {
    this.served.clear();
  }
}
