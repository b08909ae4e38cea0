#!/usr/bin/env bash
# bench/run.sh - measure socks5d against baselines (no proxy, microsocks, dante) in one run.
#
# Everything listens and connects on loopback only; every step is bounded in time and the whole
# script stops measuring when its budget (BUDGET seconds, default 570) runs out. Every process the
# script starts is stopped on exit.
#
# Usage: bench/run.sh                 full run, writes docs/benchmarks.md
#        SMOKE=1 bench/run.sh         tiny sizes, one round, writes bench/out/benchmarks-smoke.md
#
# Knobs (environment): REPS (rounds of the throughput/rate tests, default 3), PUSH_SIZE (bytes of
# the 1-stream push, default 1G), PULL_SIZE (bytes per stream of the 8-stream pull, default 128M),
# RATE_T / RATE_W (measured / warm-up seconds of each rate run, default 5 / 1), IDLE_K (idle
# connections, default 2000), WITH_DANTE (1 = measure dante too if it is or can be installed,
# default 1), SKIP_BUILD (1 = reuse bench/out), BUDGET (seconds, default 570), OUT_MD (report path).
set -euo pipefail

T_START=$(date +%s)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"

SMOKE=${SMOKE:-0}
if [[ $SMOKE == 1 ]]; then
    : "${REPS:=1}" "${PUSH_SIZE:=128M}" "${PULL_SIZE:=16M}" "${RATE_T:=1}" "${RATE_W:=0.5}" "${IDLE_K:=200}"
    : "${OUT_MD:=$OUT/benchmarks-smoke.md}"
fi
REPS=${REPS:-3}
PUSH_SIZE=${PUSH_SIZE:-1G}
PULL_SIZE=${PULL_SIZE:-128M}
PULL_STREAMS=8
RATE_T=${RATE_T:-5}
RATE_W=${RATE_W:-1}
IDLE_K=${IDLE_K:-2000}
WITH_DANTE=${WITH_DANTE:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
BUDGET=${BUDGET:-570}
OUT_MD=${OUT_MD:-$ROOT/docs/benchmarks.md}
DEADLINE=$((T_START + BUDGET))

RUN_DIR="$OUT/run"
LOGS="$RUN_DIR/logs"
RESULTS="$RUN_DIR/results.jsonl"
FACTS="$RUN_DIR/facts.json"
LOADGEN="$OUT/loadgen"
SOCKS5D="$OUT/socks5d/socks5d"

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"
remaining() { echo $((DEADLINE - $(date +%s))); }

# a process and all its descendants (dante forks workers), summed
tree() { local p; echo "$1"; for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree "$p"; done; }
fd_count() { local n=0 p; for p in $(tree "$1"); do n=$((n + $(ls "/proc/$p/fd" 2>/dev/null | wc -l))); done; echo $n; }
status_sum() { # pid field
    local n=0 p v
    for p in $(tree "$1"); do v=$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null); n=$((n + ${v:-0})); done
    echo $n
}
threads_of() { status_sum "$1" Threads; }
rss_of() { status_sum "$1" VmRSS; }

# ---------------------------------------------------------------- build
for tool in gcc dotnet jq python3 ss timeout; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y gcc jq python3 iproute2 coreutils; .NET SDK 10)"
done
mkdir -p "$OUT"
rm -rf "$RUN_DIR"
mkdir -p "$LOGS"
: >"$RESULTS"

if [[ $SKIP_BUILD != 1 || ! -x $LOADGEN ]]; then
    log "building loadgen"
    gcc -O2 -Wall -o "$LOADGEN" "$BENCH_DIR/loadgen.c" -lpthread
fi
if [[ $SKIP_BUILD != 1 || ! -x $SOCKS5D ]]; then
    log "publishing socks5d (Release)"
    (cd "$ROOT" && timeout 300 dotnet publish src/ProxyHost -c Release -o "$OUT/socks5d" -nologo -v q) \
        >"$LOGS/publish.log" 2>&1 || die "dotnet publish failed (see $LOGS/publish.log)"
fi
[[ -x $SOCKS5D ]] || die "no socks5d at $SOCKS5D"

apt_install() { # package
    log "installing $1 (apt-get)"
    if [[ $(id -u) == 0 ]]; then
        { timeout 120 apt-get update -qq && timeout 180 apt-get install -y -qq "$1"; } >"$LOGS/apt-$1.log" 2>&1
    else
        { timeout 120 sudo -n apt-get update -qq && timeout 180 sudo -n apt-get install -y -qq "$1"; } >"$LOGS/apt-$1.log" 2>&1
    fi
}
HAVE_MICROSOCKS=1
command -v microsocks >/dev/null || apt_install microsocks || true
command -v microsocks >/dev/null || { HAVE_MICROSOCKS=0; log "microsocks unavailable: no microsocks baseline"; }
HAVE_DANTE=0
if [[ $WITH_DANTE == 1 ]]; then
    command -v danted >/dev/null || apt_install dante-server || true
    command -v danted >/dev/null && HAVE_DANTE=1 || log "dante unavailable: no dante baseline"
fi

# ---------------------------------------------------------------- facts about this run
dotnet_version=$(dotnet --version 2>/dev/null || echo unknown)
runtime_version=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | head -1)
jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg nproc "$(nproc)" --arg kernel "$(uname -r)" \
    --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    --arg mem "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)" \
    --arg nofile "$(ulimit -n)" --arg dotnet "$dotnet_version" --arg runtime "$runtime_version" \
    --arg commit "$commit${dirty:+ (src modified)}" \
    --arg gcc "$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)" \
    --arg microsocks "$(dpkg-query -W -f '${Version}' microsocks 2>/dev/null || echo n/a)" \
    --arg dante "$(dpkg-query -W -f '${Version}' dante-server 2>/dev/null || echo n/a)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg smoke "$SMOKE" --arg reps "$REPS" \
    --arg push "$PUSH_SIZE" --arg pull "$PULL_SIZE" --arg pulln "$PULL_STREAMS" --arg rate_t "$RATE_T" \
    --arg rate_w "$RATE_W" --arg idle_k "$IDLE_K" \
    '{date:$date, nproc:$nproc, kernel:$kernel, cpu:$cpu, mem:$mem, nofile:$nofile, dotnet_sdk:$dotnet,
      dotnet_runtime:$runtime, commit:$commit, gcc:$gcc, microsocks:$microsocks, dante:$dante,
      loadavg_start:$load, smoke:$smoke, reps:$reps, push_size:$push, pull_size:$pull,
      pull_streams:$pulln, rate_t:$rate_t, rate_w:$rate_w, idle_k:$idle_k}' >"$FACTS"

# ---------------------------------------------------------------- servers
SRV_PORT=$(free_port 4)
"$LOADGEN" serve -l 127.0.0.1 -p "$SRV_PORT" -L "$BUDGET" >"$LOGS/target.log" 2>&1 &
SRV_PID=$!; PIDS+=("$SRV_PID")
wait_listen $((SRV_PORT + 3)) "$SRV_PID" target
ECHO="127.0.0.1:$SRV_PORT" SINK="127.0.0.1:$((SRV_PORT + 1))" SOURCE="127.0.0.1:$((SRV_PORT + 2))"
ECHO_CLOSE="127.0.0.1:$((SRV_PORT + 3))"

# name -> "port pid auth(0|1)"
declare -A PROXY_PORT PROXY_PID PROXY_AUTH
SERVERS=()

start_socks5d() { # name auth
    local name=$1 auth=$2 port mport
    port=$(free_port); mport=$(free_port)
    local args=(-l 127.0.0.1 -p "$port" -L 127.0.0.1 -P "$mport" --drain-timeout 1s)
    if [[ $auth == 1 ]]; then args+=(-u bench:bench); else args+=(--allow-anonymous); fi
    "$SOCKS5D" "${args[@]}" >"$LOGS/$name.log" 2>&1 &
    PROXY_PID[$name]=$!; PIDS+=("$!")
    PROXY_PORT[$name]=$port PROXY_AUTH[$name]=$auth
    wait_listen "$port" "${PROXY_PID[$name]}" "$name"
    SERVERS+=("$name")
}
start_microsocks() {
    local port; port=$(free_port)
    microsocks -i 127.0.0.1 -p "$port" >"$LOGS/microsocks.log" 2>&1 &
    PROXY_PID[microsocks]=$!; PIDS+=("$!")
    PROXY_PORT[microsocks]=$port PROXY_AUTH[microsocks]=0
    wait_listen "$port" "${PROXY_PID[microsocks]}" microsocks
    SERVERS+=(microsocks)
}
start_dante() {
    local port; port=$(free_port)
    {
        echo "logoutput: $LOGS/dante-internal.log"
        echo "internal: 127.0.0.1 port = $port"
        echo "external: 127.0.0.1"
        echo "clientmethod: none"
        echo "socksmethod: none"
        if [[ $(id -u) == 0 ]]; then echo "user.privileged: root"; echo "user.unprivileged: nobody"; fi
        echo "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
        echo "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
    } >"$RUN_DIR/danted.conf"
    danted -f "$RUN_DIR/danted.conf" -p "$RUN_DIR/danted.pid" -N 1 >"$LOGS/dante.log" 2>&1 &
    PROXY_PID[dante]=$!; PIDS+=("$!")
    PROXY_PORT[dante]=$port PROXY_AUTH[dante]=0
    wait_listen "$port" "${PROXY_PID[dante]}" dante
    SERVERS+=(dante)
}

log "starting target server and proxies"
start_socks5d socks5d-anon 0
start_socks5d socks5d-auth 1
[[ $HAVE_MICROSOCKS == 1 ]] && start_microsocks
[[ $HAVE_DANTE == 1 ]] && start_dante

declare -A FD_START THREADS_START RSS_START
for s in "${SERVERS[@]}"; do
    FD_START[$s]=$(fd_count "${PROXY_PID[$s]}")
    THREADS_START[$s]=$(threads_of "${PROXY_PID[$s]}")
    RSS_START[$s]=$(rss_of "${PROXY_PID[$s]}")
done

# ---------------------------------------------------------------- one measurement
# lg SERVER TEST ROUND CAP_SECONDS loadgen-args...   (SERVER "direct" = no proxy)
lg() {
    local server=$1 test=$2 round=$3 cap=$4; shift 4
    local left; left=$(remaining)
    if ((left < cap + 5)); then
        log "skip $test $server round $round: budget exhausted"
        jq -cn --arg s "$server" --arg t "$test" --argjson r "$round" '{server:$s,test:$t,round:$r,skipped:true}' >>"$RESULTS"
        return 0
    fi
    local args=("$@")
    if [[ $server != direct ]]; then
        args+=(-x "127.0.0.1:${PROXY_PORT[$server]}" -m "${PROXY_PID[$server]}")
        [[ ${PROXY_AUTH[$server]} == 1 ]] && args+=(-u bench -P bench)
    fi
    local f="$LOGS/$test-$server-r$round.txt" rc=0
    timeout -k 5 "$cap" "$LOADGEN" "${args[@]}" >"$f" 2>&1 || rc=$?
    local line; line=$(sed -n 's/^RESULT //p' "$f" | tail -1)
    if [[ -z $line ]]; then
        log "  $test $server r$round: no RESULT (exit $rc), see $f"
        jq -cn --arg s "$server" --arg t "$test" --argjson r "$round" --argjson rc "$rc" \
            '{server:$s,test:$t,round:$r,failed_run:true,rc:$rc}' >>"$RESULTS"
    else
        jq -cn --arg s "$server" --arg t "$test" --argjson r "$round" --argjson rc "$rc" --argjson res "$line" \
            '{server:$s,test:$t,round:$r,rc:$rc,r:$res}' >>"$RESULTS"
        log "  $test $server r$round: $(sed -n '2p' "$f" | sed 's/^ *//')"
    fi
    if [[ $server != direct ]] && ! kill -0 "${PROXY_PID[$server]}" 2>/dev/null; then
        log "  $server DIED during $test (see $LOGS/$server.log)"
        jq -cn --arg s "$server" --arg t "$test" --argjson r "$round" '{server:$s,test:"died",during:$t,round:$r}' >>"$RESULTS"
    fi
}

# state SERVER ROUND: RSS, threads and descriptors of a proxy between tests
state() {
    local pid=${PROXY_PID[$1]}
    kill -0 "$pid" 2>/dev/null || return 0
    jq -cn --arg s "$1" --argjson r "$2" --argjson rss "$(rss_of "$pid")" --argjson th "$(threads_of "$pid")" \
        --argjson fd "$(fd_count "$pid")" '{server:$s,test:"state",round:$r,rss_kb:$rss,threads:$th,fds:$fd}' >>"$RESULTS"
}

# ---------------------------------------------------------------- idle memory, on fresh processes first
log "idle memory: $IDLE_K idle relayed connections per proxy"
for s in "${SERVERS[@]}"; do
    # warm the handshake path (JIT, pools) with a few connections, then measure
    lg "$s" idle-warmup 0 40 idle -d "$ECHO" -k 64 -c 64 -W 0.5 -o 10 -S 127.0.0.2 -L 30
    lg "$s" idle 0 80 idle -d "$ECHO" -k "$IDLE_K" -c 128 -W 2 -o 30 -S 127.0.0.2 -L 60
    state "$s" 0
done

# ---------------------------------------------------------------- throughput and rate, interleaved rounds
TARGETS=(direct "${SERVERS[@]}")
for ((r = 1; r <= REPS; r++)); do
    log "round $r/$REPS"
    for s in "${TARGETS[@]}"; do
        lg "$s" push "$r" 90 bulk -d "$SINK" -n 1 -s "$PUSH_SIZE" -M "$SRV_PID" -L 60
    done
    for s in "${TARGETS[@]}"; do
        lg "$s" pull "$r" 90 bulk -d "$SOURCE" -n "$PULL_STREAMS" -s "$PULL_SIZE" --pull -M "$SRV_PID" -L 60
    done
    for s in "${TARGETS[@]}"; do
        lg "$s" rate32 "$r" 60 rate -d "$ECHO_CLOSE" -c 32 -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10
    done
    for s in "${TARGETS[@]}"; do
        lg "$s" rate1 "$r" 60 rate -d "$ECHO_CLOSE" -c 1 -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10
    done
    for s in "${SERVERS[@]}"; do state "$s" "$r"; done
done

# ---------------------------------------------------------------- state of each proxy after the suite
sleep 2 # let the last connections close
for s in "${SERVERS[@]}"; do
    pid=${PROXY_PID[$s]}
    alive=false; kill -0 "$pid" 2>/dev/null && alive=true
    jq -cn --arg s "$s" --argjson alive "$alive" \
        --argjson fd0 "${FD_START[$s]}" --argjson fd1 "$(fd_count "$pid")" \
        --argjson th0 "${THREADS_START[$s]}" --argjson th1 "$(threads_of "$pid")" \
        --argjson rss0 "${RSS_START[$s]}" --argjson rss1 "$(rss_of "$pid")" \
        '{server:$s,test:"final",alive:$alive,fd_start:$fd0,fd_end:$fd1,threads_start:$th0,threads_end:$th1,rss_kb_start:$rss0,rss_kb_end:$rss1}' \
        >>"$RESULTS"
done
jq --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson secs $(($(date +%s) - T_START)) \
    '. + {loadavg_end:$load, run_seconds:$secs}' "$FACTS" >"$FACTS.tmp" && mv "$FACTS.tmp" "$FACTS"

log "writing $OUT_MD"
python3 "$BENCH_DIR/report.py" "$FACTS" "$RESULTS" "$OUT_MD"
log "done in $(($(date +%s) - T_START)) s; raw results in $RUN_DIR"
