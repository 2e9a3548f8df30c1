#!/usr/bin/env bash
# A private single-node Apache Kafka (KRaft, broker and controller in one JVM) for the tests
# that the embedded broker cannot run: transactions (commit/abort markers, read_committed,
# offsets sent to a transaction, fencing). See README "Exactly-once mode".
#
#   scripts/kafka-test-broker.sh start   # fetch jars if needed, format if needed, start, wait, print the line below
#   scripts/kafka-test-broker.sh url     # print AGENTMESH_TEST_KAFKA_BOOTSTRAP=127.0.0.1:PORT only
#   scripts/kafka-test-broker.sh stop    # stop the broker (its data folder is wiped at the next start)
#
# Use it as:  export $(scripts/kafka-test-broker.sh start)
#
# The broker jars come from Maven (org.apache.kafka:kafka_2.13 and its runtime dependencies,
# copied by a throw-away pom in the cache folder, outside the repository), so it needs java
# (17+), mvn and a reachable Maven repository. Without one, point AGENTMESH_KAFKA_LIBS at the
# libs/ folder of an unpacked Apache Kafka 4.x distribution instead.
# Other overrides: AGENTMESH_KAFKA_DIR, AGENTMESH_KAFKA_PORT (controller: PORT+1),
# AGENTMESH_KAFKA_VERSION, AGENTMESH_KAFKA_HEAP.
set -euo pipefail

KAFKA_ROOT="${AGENTMESH_KAFKA_DIR:-/tmp/agentmesh-kafka}"
KAFKA_PORT="${AGENTMESH_KAFKA_PORT:-39092}"
CONTROLLER_PORT="$((KAFKA_PORT + 1))"
KAFKA_VERSION="${AGENTMESH_KAFKA_VERSION:-4.1.1}"
KAFKA_HEAP="${AGENTMESH_KAFKA_HEAP:-512m}"
LIBS="${AGENTMESH_KAFKA_LIBS:-$KAFKA_ROOT/libs-$KAFKA_VERSION}"
DATA="$KAFKA_ROOT/data"
CONFIG="$KAFKA_ROOT/server.properties"
LOG="$KAFKA_ROOT/server.log"
PIDFILE="$KAFKA_ROOT/broker.pid"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

log() { echo "kafka-test-broker: $*" >&2; }

is_running() {
    [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

answers() {
    kcat -L -b "$BOOTSTRAP" -m 2 >/dev/null 2>&1
}

# Copies kafka_2.13 and its runtime dependencies into $LIBS, once per version.
fetch_jars() {
    if [ -n "${AGENTMESH_KAFKA_LIBS:-}" ]; then
        ls "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || { log "no kafka_2.13-*.jar in AGENTMESH_KAFKA_LIBS=$LIBS"; exit 1; }
        return 0
    fi
    if [ -f "$LIBS/.complete" ]; then return 0; fi
    command -v mvn >/dev/null || { log "mvn not found (apt-get install maven)"; exit 1; }
    log "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS"
    mkdir -p "$KAFKA_ROOT/pom"
    cat >"$KAFKA_ROOT/pom/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>agentmesh.test</groupId>
  <artifactId>kafka-test-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
  </dependencies>
</project>
EOF
    rm -rf "$LIBS"
    mvn -q -B -f "$KAFKA_ROOT/pom/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$KAFKA_ROOT/mvn.log" 2>&1 \
        || { tail -n 30 "$KAFKA_ROOT/mvn.log" >&2
             log "Maven could not fetch the broker jars (no reachable Maven repository? see AGENTMESH_KAFKA_LIBS above)"
             exit 1; }
    touch "$LIBS/.complete"
}

write_config() {
    cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
}

# Kafka 4 logs through log4j2; without a configuration it prints errors only, to server.log.
java_cmd() {
    java "-Xmx$KAFKA_HEAP" "-Xms$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true -cp "$LIBS/*" "$@"
}

start() {
    mkdir -p "$KAFKA_ROOT"
    if is_running && answers; then
        echo "AGENTMESH_TEST_KAFKA_BOOTSTRAP=$BOOTSTRAP"
        return 0
    fi
    if is_running; then stop; fi
    command -v java >/dev/null || { log "java not found (17 or newer)"; exit 1; }
    command -v kcat >/dev/null || { log "kcat not found (make deps)"; exit 1; }
    fetch_jars
    write_config
    # A fresh log every start: reruns never see an earlier run's topics or transactions.
    rm -rf "$DATA"
    local cluster_id
    cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid)"
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >"$KAFKA_ROOT/format.log" 2>&1 \
        || { cat "$KAFKA_ROOT/format.log" >&2; log "formatting $DATA failed"; exit 1; }
    log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (log: $LOG)"
    nohup java "-Xmx$KAFKA_HEAP" "-Xms$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
        -cp "$LIBS/*" kafka.Kafka "$CONFIG" >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 120); do
        if answers; then
            echo "AGENTMESH_TEST_KAFKA_BOOTSTRAP=$BOOTSTRAP"
            return 0
        fi
        is_running || { tail -n 40 "$LOG" >&2; log "the broker exited; see $LOG"; exit 1; }
        sleep 0.5
    done
    tail -n 40 "$LOG" >&2
    log "the broker did not answer on $BOOTSTRAP within 60 s; see $LOG"
    exit 1
}

stop() {
    if ! is_running; then
        log "not running"
        rm -f "$PIDFILE"
        return 0
    fi
    local pid
    pid="$(cat "$PIDFILE")"
    kill "$pid"
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; return 0; }
        sleep 0.5
    done
    log "the broker did not stop within 20 s; killing it"
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "AGENTMESH_TEST_KAFKA_BOOTSTRAP=$BOOTSTRAP" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
