#!/usr/bin/env bash
# kafka-run-class.sh <main class> [args]: the JVM with Kafka's libs and the options Kafka's launcher
# reads from the environment (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_GC_LOG_OPTS,
# KAFKA_JMX_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS), with the launcher's defaults for tools.
base=/opt/kafka
heap=${KAFKA_HEAP_OPTS:--Xmx256M}
perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=${base}/config/tools-log4j2.yaml}
# shellcheck disable=SC2086 # the *_OPTS variables are lists of options
exec java ${heap} ${perf} ${KAFKA_GC_LOG_OPTS-} ${KAFKA_JMX_OPTS-} ${log4j} -cp "${base}/libs/*" ${KAFKA_OPTS-} "$@"
