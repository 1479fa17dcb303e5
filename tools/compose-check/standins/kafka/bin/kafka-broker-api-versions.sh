#!/usr/bin/env bash
# API versions of each broker (the compose healthcheck).
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
