// What the console's API returns for topics and messages: one definition for the server that builds
// these views and the browser pages that render them (types only; nothing here runs).

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  earliestOffset: string;
  latestOffset: string;
  /** latest - earliest: exact for plain topics; an upper bound with compaction or transaction markers. */
  messages: number;
  /** Some replica is not in sync. */
  underReplicated: boolean;
}

export interface TopicView {
  name: string;
  partitionCount: number;
  replicationFactor: number;
  messages: number;
  underReplicated: number;
  internal: boolean;
  deadLetter: boolean;
  partitions: PartitionView[];
}

/** A message as the browser sees it: offsets as strings (JSON has no 64-bit integers). */
export interface MessageView {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  /** UTF-8 text, or base64 when the bytes are not valid UTF-8. */
  value: string;
  encoding: 'utf8' | 'base64';
  size: number;
  truncated: boolean;
}
