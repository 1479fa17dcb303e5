#!/usr/bin/env bash
# Consumer groups: list, describe, reset offsets.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
