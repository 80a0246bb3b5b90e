#!/usr/bin/env bash
# A local standalone Flink cluster for k2batch's flink-local runner profile: a JobManager and two
# TaskManagers (separate JVMs, one slot each, sized for 2 cores / 24 GB), plus the SDK worker pool
# that Beam's EXTERNAL environment starts Python workers from (no Docker).
#
#   infra/flink/cluster.sh up      install Flink (PyPI's apache-flink, --no-deps, its own venv), start, wait
#   infra/flink/cluster.sh down    stop everything this script started
#   infra/flink/cluster.sh status  the TaskManagers the JobManager sees
#
# FLINK_VERSION must be the Flink minor of Beam's job-server jar (Beam 2.77: 2.2). State lives in
# K2BATCH_FLINK_DIR (default .flink/ in the checkout). K2BATCH_PYTHON: the interpreter whose
# k2batch serves the SDK workers (default .venv/bin/python).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FLINK_VERSION="${FLINK_VERSION:-2.2.0}"
DIR="${K2BATCH_FLINK_DIR:-$ROOT/.flink}"
PY="${K2BATCH_PYTHON:-$ROOT/.venv/bin/python}"
REST_PORT="${FLINK_REST_PORT:-8081}"
POOL_PORT="${K2BATCH_POOL_PORT:-50077}"
TASKMANAGERS=2

flink_home() { "$DIR/venv/bin/python" -c 'import os, pyflink; print(os.path.dirname(pyflink.__file__))'; }

install() {
  [ -x "$DIR/venv/bin/python" ] && flink_home >/dev/null 2>&1 && return
  python3 -m venv "$DIR/venv"
  # --no-deps: pyflink pins an old Beam; only its Flink distribution (bin/, lib/) is used.
  "$DIR/venv/bin/pip" install -q --no-deps "apache-flink==$FLINK_VERSION" "apache-flink-libraries==$FLINK_VERSION"
}

configure() {
  mkdir -p "$DIR/conf" "$DIR/log"
  cp "$(flink_home)/conf/"log4j*.properties "$DIR/conf/" 2>/dev/null || true
  # Restarts: a lost TaskManager fails its tasks; the job restarts them on the survivor and on
  # a replacement, so heartbeats are short to notice a killed one within seconds.
  cat > "$DIR/conf/config.yaml" <<YAML
jobmanager:
  rpc: {address: localhost, port: 6123}
  bind-host: localhost
  memory: {process: {size: 1024m}}
taskmanager:
  bind-host: localhost
  host: localhost
  numberOfTaskSlots: 1
  memory: {process: {size: 1536m}}
rest: {port: $REST_PORT, address: localhost, bind-address: localhost}
parallelism: {default: $TASKMANAGERS}
heartbeat: {interval: 2000, timeout: 10000}
restart-strategy: {type: fixed-delay, fixed-delay: {attempts: 5, delay: 2 s}}
YAML
}

taskmanagers() {
  curl -sf "http://localhost:$REST_PORT/taskmanagers" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["taskmanagers"]))' 2>/dev/null || echo 0
}

up() {
  install
  configure
  local home; home="$(flink_home)"
  export FLINK_CONF_DIR="$DIR/conf" FLINK_LOG_DIR="$DIR/log" FLINK_PID_DIR="$DIR"
  "$home/bin/jobmanager.sh" start >/dev/null
  for _ in $(seq $TASKMANAGERS); do "$home/bin/taskmanager.sh" start >/dev/null; done
  # The worker pool starts `python` from PATH for each SDK worker: k2batch's interpreter first.
  PATH="$(dirname "$PY"):$PATH" nohup "$PY" -m k2batch.cli worker-pool --port "$POOL_PORT" \
    >"$DIR/log/worker-pool.log" 2>&1 &
  echo $! >"$DIR/worker-pool.pid"
  for _ in $(seq 120); do
    if [ "$(taskmanagers)" -ge $TASKMANAGERS ] && (exec 3<>"/dev/tcp/localhost/$POOL_PORT") 2>/dev/null; then
      echo "flink: JobManager http://localhost:$REST_PORT, $TASKMANAGERS TaskManagers; worker pool localhost:$POOL_PORT"
      return 0
    fi
    sleep 1
  done
  echo "flink: cluster did not come up in 120 s; logs in $DIR/log" >&2
  down
  return 1
}

down() {
  local home; home="$(flink_home 2>/dev/null)" || true
  export FLINK_CONF_DIR="$DIR/conf" FLINK_LOG_DIR="$DIR/log" FLINK_PID_DIR="$DIR"
  if [ -n "$home" ]; then
    "$home/bin/taskmanager.sh" stop-all >/dev/null 2>&1 || true
    "$home/bin/jobmanager.sh" stop-all >/dev/null 2>&1 || true
  fi
  if [ -f "$DIR/worker-pool.pid" ]; then
    kill "$(cat "$DIR/worker-pool.pid")" 2>/dev/null || true
    rm -f "$DIR/worker-pool.pid"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) echo "taskmanagers: $(taskmanagers)" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
