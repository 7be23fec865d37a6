export * from './stream.port';
export { EmbeddedStream } from './embedded-stream.adapter';
export { KafkaStream } from './kafka-stream.adapter';
export { partitionFor } from './partitioner';
export * from './batching-producer';
export { NamespacedStream } from './namespaced-stream';
