#!/usr/bin/env bash
# Create, list, describe, alter and delete topics.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.TopicCommand "$@"
