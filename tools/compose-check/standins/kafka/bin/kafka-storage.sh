#!/usr/bin/env bash
# KRaft storage: format, random-uuid, info.
exec /opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool "$@"
