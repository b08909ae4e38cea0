#!/usr/bin/env bash
# bench/relaybuf.sh - A/B of SocksServerOptions.RelayBufferSize: the same socks5d built with
# different relay chunk sizes, measured interleaved in one run.
#
# socks5d has no option for the chunk size, so this script builds one variant per size from a
# scratch copy of the committed tree (git archive HEAD) with only the default constant changed,
# publishes each to bench/out/relaybuf/socks5d-<K>k, starts them all (anonymous, no users), and
# runs push / pull / rate c=32 round by round, each test over every variant before the next test
# (variant order rotated each round). Idle memory is measured first, on the fresh processes, then
# one unreported run of each test per variant warms its path up (tiered JIT) before round 1.
# Loopback only; every loadgen run has a time limit; every process started is stopped on exit.
#
# Usage: bench/relaybuf.sh            writes bench/out/relaybuf/results.jsonl and prints the tables
# Knobs (environment): SIZES (KiB, first one is the reference, default "16 64 128"), REPS (default
# 3), PUSH_SIZE (default 1G), PULL_SIZE (per stream, 8 streams, default 128M), RATE_T (default 5),
# IDLE_K (default 2000), TESTS (subset of "idle push pull rate32", default all), SKIP_BUILD (1 = reuse the published variants), BUDGET (seconds, default 900).
set -euo pipefail

T_START=$(date +%s)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"
RB="$OUT/relaybuf"
LOADGEN="$OUT/loadgen"

read -r -a SIZES <<<"${SIZES:-16 64 128}"
REPS=${REPS:-3}
PUSH_SIZE=${PUSH_SIZE:-1G}
PULL_SIZE=${PULL_SIZE:-128M}
RATE_T=${RATE_T:-5}
IDLE_K=${IDLE_K:-2000}
TESTS=" ${TESTS:-idle push pull rate32} "
SKIP_BUILD=${SKIP_BUILD:-0}
BUDGET=${BUDGET:-900}
DEADLINE=$((T_START + BUDGET))
RESULTS="$RB/results.jsonl"
LOGS="$RB/logs"

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------- build
mkdir -p "$RB"
rm -rf "$LOGS"; mkdir -p "$LOGS"
: >"$RESULTS"
if [[ ! -x $LOADGEN || $SKIP_BUILD != 1 ]]; then
    build_loadgen
fi
OPTIONS_CS=src/Socks.Core/SocksServerOptions.cs
PATTERN='public int RelayBufferSize { get; init; } = '
if [[ $SKIP_BUILD != 1 ]]; then
    SCRATCH=$(mktemp -d /tmp/relaybuf.XXXXXX)
    CLEANUP_PATHS+=("$SCRATCH")
    git -C "$ROOT" archive HEAD | tar -x -C "$SCRATCH"
    [[ $(grep -cF "$PATTERN" "$SCRATCH/$OPTIONS_CS") == 1 ]] || die "RelayBufferSize default not found in $OPTIONS_CS"
    for k in "${SIZES[@]}"; do
        log "publishing socks5d with RelayBufferSize = $k KiB"
        sed -i "s/\(public int RelayBufferSize { get; init; } = \).*;/\1$k * 1024;/" "$SCRATCH/$OPTIONS_CS"
        grep -qF "$PATTERN$k * 1024;" "$SCRATCH/$OPTIONS_CS" || die "could not set the default to $k KiB"
        publish_socks5d "$SCRATCH" "$RB/socks5d-${k}k" "publish-${k}k.log"
    done
fi

# ---------------------------------------------------------------- servers
SRV_PORT=$(free_port 4)
"$LOADGEN" serve -l 127.0.0.1 -p "$SRV_PORT" -L "$BUDGET" >"$LOGS/target.log" 2>&1 &
SRV_PID=$!; PIDS+=("$SRV_PID")
wait_listen $((SRV_PORT + 3)) "$SRV_PID" target
ECHO="127.0.0.1:$SRV_PORT" SINK="127.0.0.1:$((SRV_PORT + 1))" SOURCE="127.0.0.1:$((SRV_PORT + 2))"
ECHO_CLOSE="127.0.0.1:$((SRV_PORT + 3))"

declare -A PORT PID
for k in "${SIZES[@]}"; do
    bin="$RB/socks5d-${k}k/socks5d"
    [[ -x $bin ]] || die "no $bin (run without SKIP_BUILD=1)"
    PORT[$k]=$(free_port); mport=$(free_port)
    "$bin" -l 127.0.0.1 -p "${PORT[$k]}" -L 127.0.0.1 -P "$mport" --drain-timeout 1s --allow-anonymous \
        >"$LOGS/socks5d-${k}k.log" 2>&1 &
    PID[$k]=$!; PIDS+=("$!")
    wait_listen "${PORT[$k]}" "${PID[$k]}" "socks5d-${k}k"
done

# lg KIB TEST ROUND CAP loadgen-args...
lg() {
    local k=$1 test=$2 round=$3 cap=$4; shift 4
    if (($(date +%s) + cap + 5 > DEADLINE)); then log "skip $test ${k}k r$round: budget exhausted"; return 0; fi
    local f="$LOGS/$test-${k}k-r$round.txt" rc=0 line
    timeout -k 5 "$cap" "$LOADGEN" "$@" -x "127.0.0.1:${PORT[$k]}" -m "${PID[$k]}" >"$f" 2>&1 || rc=$?
    line=$(sed -n 's/^RESULT //p' "$f" | tail -1)
    if [[ -z $line ]]; then
        log "  $test ${k}k r$round: no RESULT (exit $rc), see $f"
        jq -cn --argjson k "$k" --arg t "$test" --argjson r "$round" '{kib:$k,test:$t,round:$r,failed_run:true}' >>"$RESULTS"
    else
        jq -cn --argjson k "$k" --arg t "$test" --argjson r "$round" --argjson rc "$rc" --argjson res "$line" \
            '{kib:$k,test:$t,round:$r,rc:$rc,r:$res}' >>"$RESULTS"
        log "  $test ${k}k r$round: $(sed -n '2p' "$f" | sed 's/^ *//')"
    fi
    kill -0 "${PID[$k]}" 2>/dev/null || die "socks5d-${k}k died during $test (see $LOGS/socks5d-${k}k.log)"
}

want() { [[ $TESTS == *" $1 "* ]]; }
if want idle; then
    log "idle memory: $IDLE_K idle relayed connections per variant (fresh processes)"
    for k in "${SIZES[@]}"; do
        lg "$k" idle-warmup 0 40 idle -d "$ECHO" -k 64 -c 64 -W 0.5 -o 10 -S 127.0.0.2 -L 30
        lg "$k" idle 0 80 idle -d "$ECHO" -k "$IDLE_K" -c 128 -W 2 -o 30 -S 127.0.0.2 -L 60
    done
fi

log "warm-up per variant (tiered JIT of the paths measured; not reported)"
for k in "${SIZES[@]}"; do
    if want push || want pull; then
        lg "$k" warmup-push 0 60 bulk -d "$SINK" -n 1 -s 256M -L 40
        lg "$k" warmup-pull 0 60 bulk -d "$SOURCE" -n 8 -s 32M --pull -L 40
    fi
    if want rate32; then lg "$k" warmup-rate 0 30 rate -d "$ECHO_CLOSE" -c 32 -T 2 -w 0.5 -o 10; fi
done

n=${#SIZES[@]}
for ((r = 1; r <= REPS; r++)); do
    order=()
    for ((i = 0; i < n; i++)); do order+=("${SIZES[$(((i + r - 1) % n))]}"); done
    log "round $r/$REPS (order: ${order[*]} KiB)"
    if want push; then for k in "${order[@]}"; do lg "$k" push "$r" 90 bulk -d "$SINK" -n 1 -s "$PUSH_SIZE" -M "$SRV_PID" -L 60; done; fi
    if want pull; then for k in "${order[@]}"; do lg "$k" pull "$r" 90 bulk -d "$SOURCE" -n 8 -s "$PULL_SIZE" --pull -M "$SRV_PID" -L 60; done; fi
    if want rate32; then for k in "${order[@]}"; do lg "$k" rate32 "$r" 60 rate -d "$ECHO_CLOSE" -c 32 -T "$RATE_T" -w 1 -M "$SRV_PID" -o 10; done; fi
done

python3 "$BENCH_DIR/relaybuf_report.py" "$RESULTS" "${SIZES[@]}"
log "done in $(($(date +%s) - T_START)) s; raw results in $RB"
