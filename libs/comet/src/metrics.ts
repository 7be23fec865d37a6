import { Counter, Gauge, type Registry } from 'prom-client';

/** The gateway's Prometheus metrics, on the service's registry. */
export class CometMetrics {
  public readonly connections: Gauge<'transport'>;
  public readonly framesIn: Counter<'kind'>;
  public readonly framesOut: Counter;
  public readonly slowConsumers: Counter;
  public readonly protocolErrors: Counter<'code'>;
  public readonly handshakes: Counter<'result'>;
  public readonly deliveriesMissed: Counter;

  public constructor(registry: Registry) {
    const registers = [registry];
    this.connections = new Gauge({ name: 'comet_connections', help: 'Open client connections (handshake done) by transport', labelNames: ['transport'], registers });
    this.framesIn = new Counter({ name: 'comet_frames_in_total', help: 'Frames received from clients by body kind', labelNames: ['kind'], registers });
    this.framesOut = new Counter({ name: 'comet_frames_out_total', help: 'Frames handed to client connections', registers });
    this.slowConsumers = new Counter({ name: 'comet_slow_consumer_disconnects_total', help: 'Connections closed because their send queue overflowed', registers });
    this.protocolErrors = new Counter({ name: 'comet_protocol_errors_total', help: 'Connections refused or closed for a protocol error, by code', labelNames: ['code'], registers });
    this.handshakes = new Counter({ name: 'comet_handshakes_total', help: 'Handshakes by result', labelNames: ['result'], registers });
    this.deliveriesMissed = new Counter({ name: 'comet_deliveries_missed_total', help: 'Delivery tokens for which this node had no connection', registers });
  }
}
