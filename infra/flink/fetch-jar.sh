#!/usr/bin/env bash
# Fetch Beam's job-server jar for this environment's Beam release into ~/.m2 with Maven, where
# k2batch finds it (k2batch never lets Beam download it while a job runs).
#   infra/flink/fetch-jar.sh [ARTIFACT]   default: beam-runners-flink-2.2-job-server
# This machine's registry does not serve these jars (asked for Beam 2.56-2.77, Flink 1.17-2.0
# and Spark 3): the command then fails with Maven's "Could not find artifact".
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PY="${K2BATCH_PYTHON:-$ROOT/.venv/bin/python}"
ARTIFACT="${1:-beam-runners-flink-2.2-job-server}"
VERSION="$("$PY" -c 'import apache_beam; print(apache_beam.__version__)' 2>/dev/null)"
exec mvn -q dependency:get -Dartifact="org.apache.beam:$ARTIFACT:$VERSION" -Dtransitive=false
