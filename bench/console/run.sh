#!/usr/bin/env bash
# Console-proxy benchmark, side by side with Debian's websockify on the same synthetic VNC sockets.
#   bench/console/run.sh [--sessions=1000] [--seconds=10] [--messages=20000]
#                        [--proxy-jvm-options="-Xms64m -Xmx256m -XX:+UseSerialGC -Xss512k"]
# Builds console-proxy, then runs io.fastvm.console.bench.ConsoleBench from its test classes; the
# JSON results are printed and kept in console-proxy/target/bench/results.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
command -v websockify >/dev/null || { echo "needs websockify (apt-get install websockify)" >&2; exit 1; }
JAVA_HOME="$(dev/java-home)"
export JAVA_HOME
./mvnw -B -ntp -q -pl console-proxy -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt
cp="console-proxy/target/test-classes:console-proxy/target/classes:$(cat console-proxy/target/classpath.txt)"
exec "$JAVA_HOME/bin/java" -Xmx1g -cp "$cp" io.fastvm.console.bench.ConsoleBench \
  --dir=console-proxy/target/bench "$@"
