import { type Admin, ConfigResourceTypes, ConfigSources } from '@platformatic/kafka';
import { hasApiError } from './error-mapping.ts';
import { KafkaError } from './errors.ts';
import type { TopicConfigEntry } from './types.ts';

type LibraryConfig = Awaited<ReturnType<Admin['describeConfigs']>>[number]['configs'][number];

/** Kafka's names of config sources, by protocol value (the library's table has a deprecated alias). */
const SOURCE_NAMES = new Map<number, string>(
  Object.entries(ConfigSources)
    .filter(([name]) => name !== 'TOPIC_CONFIG')
    .map(([name, value]) => [value, name]),
);

function topicNotFound(topic: string, cause?: unknown): KafkaError {
  return new KafkaError('TOPIC_NOT_FOUND', `Unknown topic(s): ${topic}`, { cause, retryable: false });
}

/** Every config of one topic, sorted by name; TOPIC_NOT_FOUND for a topic that does not exist. */
export async function describeTopicConfig(admin: Admin, topic: string): Promise<TopicConfigEntry[]> {
  // Checked first: the library retries an unknown-topic answer before giving up.
  if (!(await admin.listTopics({ includeInternals: true })).includes(topic)) throw topicNotFound(topic);
  let described: Awaited<ReturnType<Admin['describeConfigs']>>;
  try {
    described = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
    });
  } catch (error) {
    // Deleted between the check and the request.
    if (hasApiError(error, 'UNKNOWN_TOPIC_OR_PARTITION')) throw topicNotFound(topic, error);
    throw error;
  }
  const configs = described.find((d) => d.resourceName === topic)?.configs ?? [];
  return configs.map(toEntry).sort((a, b) => a.name.localeCompare(b.name));
}

export function toEntry(config: LibraryConfig): TopicConfigEntry {
  const source = SOURCE_NAMES.get(config.configSource);
  return {
    name: config.name,
    value: config.value ?? null,
    // Only a topic-level override is "not default": broker-wide settings are this topic's defaults.
    isDefault: config.configSource !== ConfigSources.DYNAMIC_TOPIC_CONFIG,
    isSensitive: config.isSensitive,
    readOnly: config.readOnly,
    ...(source !== undefined ? { source } : {}),
  };
}
