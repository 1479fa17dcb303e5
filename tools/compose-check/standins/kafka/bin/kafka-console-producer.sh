#!/usr/bin/env bash
# Lines of stdin as records.
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.ConsoleProducer "$@"
