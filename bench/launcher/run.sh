#!/usr/bin/env bash
# Launcher benchmark: time from launcher start to QEMU started and to QMP ready, and the resident
# memory of the launcher beside QEMU's, over N runs of a real VM (the demo guest, kernel boot, TCG).
#
#   bench/launcher/run.sh [RUNS]        (default 5 runs per configuration)
#
# Configurations:
#   tcg          accelerator tcg, launcher JVM options from node-agent/launcher-jvm.options
#   tcg+appcds   the same with an application CDS archive made by a training run (as the image does)
#   tcg+aotcache the same with a JDK 25 AOT cache from a training run (only on JDK 25+)
#   auto-cold    accelerator auto with an empty probe cache (pays the KVM probe)
#   auto-cached  accelerator auto with the probe answer cached for this host boot
# Times come from the launcher's own log lines ("QEMU started ... N ms after launcher start",
# "QMP ready ... N ms after launcher start"), measured from the JVM process's start time.
# RSS is VmRSS from /proc, sampled once the guest reported it is ready.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-5}"
JAVA_HOME="$("$root/dev/java-home")"
java="$JAVA_HOME/bin/java"
jar="$root/cli/target/fastvm.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -B -q -ntp -DskipTests -Dspotless.check.skip=true -pl cli -am package)
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/launcher-bench.XXXXXX")"
launcher_pid=""
cleanup() {
  if [ -n "$launcher_pid" ] && kill -0 "$launcher_pid" 2>/dev/null; then kill -KILL "$launcher_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The demo guest's files (built once, cached).
read -r kvol ivol < <("$java" -jar "$jar" demo-guest)
manifest() { # $1 accelerator
  sed -e "s/accelerator: auto/accelerator: $1/" -e 's/servicePort: 8080/servicePort: 18080/' \
    "$root/examples/local/demo.yaml" > "$work/vm-$1.yaml"
  echo "$work/vm-$1.yaml"
}
mapfile -t jvm_opts < <(grep -v '^\s*#' "$root/node-agent/launcher-jvm.options" | sed '/^\s*$/d')

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

one_run() { # $1 accelerator, $2 extra JVM option (or ""), $3 probe cache dir
  local m run log qemu_pid t_qemu t_qmp r_launcher r_qemu
  m="$(manifest "$1")"
  run="$work/run"; rm -rf "$run" "$work/state"
  log="$work/launcher.log"
  MALLOC_ARENA_MAX=2 FASTVM_CACHE_DIR="$3" "$java" "${jvm_opts[@]}" ${2:+"$2"} -cp "$jar" io.fastvm.node.launcher.LauncherMain \
    --manifest="$m" "$kvol" "$ivol" --state-dir="$work/state" --runtime-dir="$run" \
    --nat-bind-address=127.0.0.1 --nat-host-ports=service >"$log" 2>&1 &
  launcher_pid=$!
  for _ in $(seq 1800); do grep -qs 'FASTVM-GUEST ready' "$log" && break; sleep 0.1; done
  if ! grep -qs 'FASTVM-GUEST ready' "$log"; then
    echo "guest did not boot within 180 s ($1 ${2:-}); launcher log:" >&2
    cat "$log" >&2 || true
    ps -o pid,stat,etime,args --ppid "$launcher_pid" >&2 || true
    exit 1
  fi
  sleep 2
  qemu_pid="$(cat "$run/qemu.pid")"
  r_launcher="$(rss_kib "$launcher_pid")"
  r_anon="$(awk '/^RssAnon:/ {print $2}' "/proc/$launcher_pid/status")"
  r_qemu="$(rss_kib "$qemu_pid")"
  kill -TERM "$launcher_pid"
  wait "$launcher_pid" || { cat "$log" >&2; echo "launcher exited non-zero" >&2; exit 1; }
  launcher_pid=""
  t_qemu="$(sed -n 's/.*QEMU started (pid [0-9]*) \([0-9]*\) ms after launcher start.*/\1/p' "$log")"
  t_qmp="$(sed -n 's/.*QMP ready \([0-9]*\) ms after launcher start.*/\1/p' "$log")"
  cpu="$(sed -n 's/.*launcher CPU time \([0-9]*\) ms.*/\1/p' "$log")"
  echo "$t_qemu $t_qmp $((r_launcher / 1024)) $((r_qemu / 1024)) $cpu $((r_anon / 1024))"
}

report() { # $1 name, then lines "t_qemu t_qmp rss_launcher rss_qemu"
  local name="$1"; shift
  printf '%s\n' "$@" | awk -v name="$name" '
    { n++; q[n]=$1; m[n]=$2; rl[n]=$3; rq[n]=$4; c[n]=$5; ra[n]=$6 }
    function median(a, n,   i, j, t, b) { for (i=1;i<=n;i++) b[i]=a[i];
      for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (b[j]<b[i]) { t=b[i]; b[i]=b[j]; b[j]=t }
      return (n%2) ? b[(n+1)/2] : (b[n/2]+b[n/2+1])/2 }
    function minmax(a, n,   i, lo, hi) { lo=a[1]; hi=a[1]; for (i=2;i<=n;i++) { if (a[i]<lo) lo=a[i]; if (a[i]>hi) hi=a[i] } return lo "-" hi }
    END { printf "| %-12s | %3d | %6s ms (%s) | %6s ms (%s) | %5s ms | %4s MiB (%s) | %4s MiB | %4s MiB |\n",
      name, n, median(q,n), minmax(q,n), median(m,n), minmax(m,n), median(c,n), median(rl,n), minmax(rl,n), median(ra,n), median(rq,n) }'
}

cache="$work/probe-cache"; mkdir -p "$cache"
# Warm-up: builds the demo guest, fills the page cache, caches the probe.
one_run tcg "" "$cache" >/dev/null

# An application CDS archive from a training run, as the image build does.
one_run tcg "-XX:ArchiveClassesAtExit=$work/launcher.jsa" "$cache" >/dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| configuration | runs | QEMU started, median (min-max) | QMP ready, median (min-max) | launcher CPU to QMP ready | launcher RSS (min-max) | launcher private (RssAnon) | QEMU RSS |"
echo "|---|---|---|---|---|---|---|---|"
lines=(); for _ in $(seq "$runs"); do lines+=("$(one_run tcg "" "$cache")"); done; report tcg "${lines[@]}"
lines=(); for _ in $(seq "$runs"); do lines+=("$(one_run tcg "-XX:SharedArchiveFile=$work/launcher.jsa" "$cache")"); done; report tcg+appcds "${lines[@]}"
# JDK 25+: the AOT cache (JEP 483/514/515) also keeps classes loaded and linked, and profiles.
if "$java" -XX:AOTCacheOutput=/dev/null -version >/dev/null 2>&1; then
  one_run tcg "-XX:AOTCacheOutput=$work/launcher.aot" "$cache" >/dev/null
  lines=(); for _ in $(seq "$runs"); do lines+=("$(one_run tcg "-XX:AOTCache=$work/launcher.aot" "$cache")"); done; report tcg+aotcache "${lines[@]}"
fi
lines=(); for _ in $(seq "$runs"); do rm -rf "$work/cold"; mkdir -p "$work/cold"; lines+=("$(one_run auto "-XX:SharedArchiveFile=$work/launcher.jsa" "$work/cold")"); done; report auto-cold "${lines[@]}"
one_run auto "-XX:SharedArchiveFile=$work/launcher.jsa" "$cache" >/dev/null # fills the probe cache
lines=(); for _ in $(seq "$runs"); do lines+=("$(one_run auto "-XX:SharedArchiveFile=$work/launcher.jsa" "$cache")"); done; report auto-cached "${lines[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
