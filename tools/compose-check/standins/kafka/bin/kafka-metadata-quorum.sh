#!/usr/bin/env bash
# The KRaft quorum: status and replication.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.MetadataQuorumCommand "$@"
