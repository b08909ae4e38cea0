#!/usr/bin/env bash
# bench/soak.sh - soak: SESSIONS short sessions through one socks5d process, in rounds (issue 17, item 4).
#
# Not part of CI. Loopback only. One socks5d (user/password auth, the MCP port on loopback) and one loadgen target;
# each round runs `loadgen rate` (short sessions: connect, CONNECT, one echo, close) for ROUND_SECS, then sends
# SIGUSR1 and samples, after the round: sessions so far (historical), concurrent, RSS, threads, descriptors and the
# GC heap (from the SIGUSR1 line). Rounds repeat until SESSIONS sessions have been served or BUDGET seconds pass.
# The table goes into docs/benchmarks.md between the "soak" markers (replaced on every run); the raw samples into
# bench/out/soak/samples.tsv. What to look for: no growth from round to round beyond noise (RSS and GC heap settle
# after the first rounds, threads and descriptors stay flat, concurrent is 0 after each round).
#
# Usage: bench/soak.sh                       1,000,000 sessions, writes docs/benchmarks.md
#        SESSIONS=20000 ROUND_SECS=2 OUT_MD=bench/out/soak.md bench/soak.sh     a quick try
#
# Knobs (environment): SESSIONS (default 1000000), ROUND_SECS (seconds of load per round, default 20), CONC
# (concurrent sessions of loadgen, default 32), THREADS (loadgen threads, default 2), BUDGET (seconds, default
# 3600), SKIP_BUILD (1 = reuse bench/out), OUT_MD (report path, default docs/benchmarks.md).
set -euo pipefail

T_START=$(date +%s)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"
RUN_DIR="$OUT/soak"
LOGS="$RUN_DIR/logs"
SAMPLES="$RUN_DIR/samples.tsv"
LOADGEN="$OUT/loadgen"
SOCKS5D="$OUT/socks5d/socks5d"

SESSIONS=${SESSIONS:-1000000}
ROUND_SECS=${ROUND_SECS:-20}
CONC=${CONC:-32}
THREADS=${THREADS:-2}
BUDGET=${BUDGET:-3600}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT_MD=${OUT_MD:-$ROOT/docs/benchmarks.md}
DEADLINE=$((T_START + BUDGET))

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

for tool in gcc dotnet ss timeout awk; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y gcc iproute2 coreutils gawk; .NET SDK 10)"
done
rm -rf "$RUN_DIR"
mkdir -p "$LOGS"
if [[ $SKIP_BUILD != 1 || ! -x $LOADGEN ]]; then
    build_loadgen
fi
if [[ $SKIP_BUILD != 1 || ! -x $SOCKS5D ]]; then
    log "publishing socks5d (Release)"
    publish_socks5d "$ROOT" "$OUT/socks5d" publish.log
fi

target_port=$(free_port)
"$LOADGEN" serve -l 127.0.0.1 -p "$target_port" -t 2 -L "$BUDGET" >"$LOGS/target.log" 2>&1 &
target_pid=$!; PIDS+=("$target_pid")
wait_listen "$target_port" "$target_pid" target

port=$(free_port); mport=$(free_port)
"$SOCKS5D" -l 127.0.0.1 -p "$port" -L 127.0.0.1 -P "$mport" -u soak:soak --drain-timeout 1s \
    --access-log /dev/null --credentials-log /dev/null >"$LOGS/socks5d.log" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_listen "$port" "$pid" socks5d

# sample ROUND: one SIGUSR1 line (waited for), then /proc
sample() {
    local round=$1 before line n
    before=$(grep -c 'SIGUSR1:' "$LOGS/socks5d.log" || true)
    kill -USR1 "$pid"
    for n in $(seq 100); do
        [[ $(grep -c 'SIGUSR1:' "$LOGS/socks5d.log" || true) -gt $before ]] && break
        sleep 0.05
    done
    line=$(grep 'SIGUSR1:' "$LOGS/socks5d.log" | tail -n 1)
    local historical concurrent heap fds rss threads
    historical=$(sed -E 's/.*historical ([0-9]+).*/\1/' <<<"$line")
    concurrent=$(sed -E 's/.*concurrent ([0-9]+).*/\1/' <<<"$line")
    heap=$(sed -E 's/.*GC heap ([0-9]+) bytes.*/\1/' <<<"$line")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status")
    threads=$(awk '$1 == "Threads:" {print $2}' "/proc/$pid/status")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$historical" "$concurrent" "$rss" "$threads" "$fds" "$heap" >>"$SAMPLES"
    log "round $round: sessions $historical, concurrent $concurrent, RSS ${rss} KiB, threads $threads, descriptors $fds, GC heap $heap"
    HISTORICAL=$historical
}

printf 'round\tsessions\tconcurrent\trss_kib\tthreads\tdescriptors\tgc_heap_bytes\n' >"$SAMPLES"
HISTORICAL=0
sample 0
round=0
while ((HISTORICAL < SESSIONS)); do
    if (($(date +%s) + ROUND_SECS + 30 > DEADLINE)); then
        log "budget of $BUDGET s spent after $round rounds"
        break
    fi
    round=$((round + 1))
    timeout $((ROUND_SECS + 30)) "$LOADGEN" rate -x "127.0.0.1:$port" -u soak -P soak -d "127.0.0.1:$target_port" \
        -c "$CONC" -t "$THREADS" -T "$ROUND_SECS" -w 0 -m "$pid" >"$LOGS/round-$round.log" 2>&1 \
        || die "loadgen failed in round $round (see $LOGS/round-$round.log)"
    # Sessions close a moment after their clients; the sample waits until none is open (bounded).
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || die "socks5d died in round $round (see $LOGS/socks5d.log)"
        [[ $(ls "/proc/$pid/fd" | wc -l) -le $(($(sed -n 2p "$SAMPLES" | cut -f6) + 8)) ]] && break
        sleep 0.05
    done
    sample "$round"
done

# ---------------------------------------------------------------- report
commit=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
report=$(
    echo "<!-- soak:begin (bench/soak.sh; replaced on every run) -->"
    echo "## Soak: $HISTORICAL short sessions through one process"
    echo
    echo "bench/soak.sh at $commit on $(date -u +%Y-%m-%d), $(nproc) cores: rounds of ${ROUND_SECS} s of \`loadgen rate\`"
    echo "(concurrency $CONC, user/password auth, one echo per session), sampled after each round."
    echo
    echo "| round | sessions | concurrent | RSS (MiB) | threads | descriptors | GC heap (MiB) |"
    echo "|------:|---------:|-----------:|----------:|--------:|------------:|--------------:|"
    awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %.1f | %s | %s | %.1f |\n", $1, $2, $3, $4 / 1024, $5, $6, $7 / 1048576}' "$SAMPLES"
    echo
    echo "<!-- soak:end -->"
)
mkdir -p "$(dirname "$OUT_MD")"
touch "$OUT_MD"
if grep -q '<!-- soak:begin' "$OUT_MD"; then
    awk -v report="$report" '
        /<!-- soak:begin/ { print report; skip = 1; next }
        /<!-- soak:end -->/ { skip = 0; next }
        !skip { print }' "$OUT_MD" >"$OUT_MD.tmp" && mv "$OUT_MD.tmp" "$OUT_MD"
else
    printf '\n%s\n' "$report" >>"$OUT_MD"
fi
log "wrote $OUT_MD (samples in $SAMPLES)"
