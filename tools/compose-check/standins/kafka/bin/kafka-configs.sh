#!/usr/bin/env bash
# Dynamic configs of brokers, topics, groups.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.ConfigCommand "$@"
