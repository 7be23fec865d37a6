import { createLogger } from '../logging/logger';
import { KafkaStream } from './kafka-stream.adapter';

/**
 * The broker's view of a topic another client is creating: listed (or refused as "already
 * exists") before the broker serves its partitions. The real race is too short to hit on demand,
 * so this admin answers the metadata request with Kafka's errors a given number of times first.
 */
const admin = {
  connect: jest.fn(async () => undefined),
  disconnect: jest.fn(async () => undefined),
  listTopics: jest.fn(async (): Promise<string[]> => []),
  createTopics: jest.fn(async () => false),
  createPartitions: jest.fn(async () => undefined),
  fetchTopicMetadata: jest.fn(),
};

jest.mock('kafkajs', () => ({
  ...jest.requireActual<object>('kafkajs'),
  Kafka: jest.fn(() => ({
    admin: () => admin,
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  })),
}));

function protocolError(type: string): Error {
  return Object.assign(new Error('This server does not host this topic-partition'), { name: 'KafkaJSProtocolError', type });
}

const served = (partitions: number) => ({ topics: [{ name: 'orders', partitions: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId })) }] });

describe('KafkaStream.ensureTopics of a topic being created elsewhere', () => {
  const stream = new KafkaStream({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger: createLogger({ service: 'spec', level: 'silent' }) });

  beforeEach(() => {
    jest.clearAllMocks();
    admin.fetchTopicMetadata.mockReset();
  });

  it('waits until the broker serves the topic, then knows its partition count', async () => {
    admin.fetchTopicMetadata
      .mockRejectedValueOnce(protocolError('UNKNOWN_TOPIC_OR_PARTITION'))
      .mockRejectedValueOnce(protocolError('LEADER_NOT_AVAILABLE'))
      .mockResolvedValueOnce({ topics: [{ name: 'orders', partitions: [] }] })
      .mockResolvedValue(served(12));
    await expect(stream.ensureTopics([{ name: 'orders', partitions: 12 }])).resolves.toBeUndefined();
    expect(admin.fetchTopicMetadata).toHaveBeenCalledTimes(4);
  });

  it('does not wait out other errors', async () => {
    admin.listTopics.mockResolvedValueOnce(['orders']);
    admin.fetchTopicMetadata.mockRejectedValue(protocolError('TOPIC_AUTHORIZATION_FAILED'));
    await expect(stream.ensureTopics([{ name: 'orders', partitions: 12 }])).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(admin.fetchTopicMetadata).toHaveBeenCalledTimes(1);
  });
});
