#!/usr/bin/env bash
# kafka-server-start.sh <server.properties> [--override key=value]…: the broker, 1 GiB heap unless
# KAFKA_HEAP_OPTS says otherwise, logging per config/log4j2.yaml.
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/log4j2.yaml}
exec /opt/kafka/bin/kafka-run-class.sh -Dkafka.logs.dir=/opt/kafka/logs kafka.Kafka "$@"
