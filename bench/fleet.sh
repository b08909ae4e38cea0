#!/usr/bin/env bash
# bench/fleet.sh - the RFC 1929 handshake + CONNECT rate of socks5d with a users file vs with --redis.
#
# Two socks5d on loopback, one with --users-file, one with --redis (a redis-server of its own), the same
# user with the same PBKDF2 record (salt, iterations, hash: the file's record is copied from Redis), driven
# by bench/loadgen.c `rate -u -P` (greeting, RFC 1929, CONNECT to an echo server that closes, close) in
# interleaved rounds (the order swaps every round); medians of each, their ratio, and whether --redis is
# within 5 % of the users file. Handshakes with --redis check the node's in-memory snapshot (docs/fleet.md):
# this measures that they cost what the users file costs.
#
# Usage: bench/fleet.sh             full run (about 75 s of measuring, plus the build), writes the results
#                                   section of docs/fleet.md
#        SMOKE=1 bench/fleet.sh     tiny run to prove the script works, writes bench/out/fleet-smoke.md
#
# Knobs (environment): REPS (rounds, default 5), RATE_T / RATE_W (measured / warm-up seconds per run,
# default 5 / 1), CONC (concurrent clients, default 32), SKIP_BUILD (1 = reuse bench/out), OUT_MD.
# Every process the script starts is stopped on exit; everything listens on 127.0.0.1 only.
set -euo pipefail

T_START=$(date +%s)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"

SMOKE=${SMOKE:-0}
if [[ $SMOKE == 1 ]]; then
    : "${REPS:=1}" "${RATE_T:=1}" "${RATE_W:=0.5}" "${CONC:=4}"
    : "${OUT_MD:=$OUT/fleet-smoke.md}"
fi
REPS=${REPS:-5}
RATE_T=${RATE_T:-5}
RATE_W=${RATE_W:-1}
CONC=${CONC:-32}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT_MD=${OUT_MD:-$ROOT/docs/fleet.md}

RUN_DIR="$OUT/fleet-run"
LOGS="$RUN_DIR/logs"
RESULTS="$RUN_DIR/results.jsonl"
LOADGEN="$OUT/loadgen"
SOCKS5D="$OUT/socks5d/socks5d"
BEGIN_MARK='<!-- bench/fleet.sh results: begin (generated, do not edit by hand) -->'
END_MARK='<!-- bench/fleet.sh results: end -->'

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

for tool in gcc dotnet jq python3 ss timeout redis-server redis-cli; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y gcc jq python3 iproute2 coreutils redis-server redis-tools; .NET SDK 10)"
done
[[ $SMOKE == 1 ]] || grep -qF "$BEGIN_MARK" "$OUT_MD" || die "$OUT_MD has no line '$BEGIN_MARK'"
mkdir -p "$OUT"
rm -rf "$RUN_DIR"
mkdir -p "$LOGS"
: >"$RESULTS"

# ---------------------------------------------------------------- build (as bench/run.sh)
if [[ $SKIP_BUILD != 1 || ! -x $LOADGEN ]]; then
    build_loadgen
fi
if [[ $SKIP_BUILD != 1 || ! -x $SOCKS5D ]]; then
    log "publishing socks5d (Release)"
    publish_socks5d "$ROOT" "$OUT/socks5d" publish.log
fi
[[ -x $SOCKS5D ]] || die "no socks5d at $SOCKS5D"
T_MEASURE=$(date +%s)

# ---------------------------------------------------------------- target, Redis, the two proxies
SRV_PORT=$(free_port 4)
"$LOADGEN" serve -l 127.0.0.1 -p "$SRV_PORT" -L 600 >"$LOGS/target.log" 2>&1 &
SRV_PID=$!; PIDS+=("$SRV_PID")
wait_listen $((SRV_PORT + 3)) "$SRV_PID" target
ECHO_CLOSE="127.0.0.1:$((SRV_PORT + 3))"

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN_DIR" --daemonize no \
    >"$LOGS/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
wait_listen "$REDIS_PORT" "$REDIS_PID" redis
PREFIX="bench:"

declare -A PROXY_PORT PROXY_PID
start_socks5d() { # name extra-args...
    local name=$1 port mport; shift
    port=$(free_port); mport=$(free_port)
    # In the run folder, so its default ./credentials.log stays out of the tree.
    (cd "$RUN_DIR" && exec "$SOCKS5D" -l 127.0.0.1 -p "$port" -L 127.0.0.1 -P "$mport" --drain-timeout 1s --access-log /dev/null "$@") \
        >"$LOGS/$name.log" 2>&1 &
    PROXY_PID[$name]=$!; PIDS+=("$!")
    PROXY_PORT[$name]=$port
    wait_listen "$port" "${PROXY_PID[$name]}" "$name"
    wait_listen "$mport" "${PROXY_PID[$name]}" "$name"
    echo "$mport" >"$RUN_DIR/$name.mport"
}

log "starting the --redis node and adding user bench over MCP (its PBKDF2 record is made there)"
start_socks5d redis --redis "127.0.0.1:$REDIS_PORT" --redis-prefix "$PREFIX"
# MCP ADD_USER (memo §4.3) in a few bytes: VER 01, CMD 02, LEN, ULEN "bench", PLEN "bench"; the answer's STATUS must be OK.
timeout 30 python3 - "$(cat "$RUN_DIR/redis.mport")" >"$LOGS/add-user.log" 2>&1 <<'EOF' || die "MCP ADD_USER failed (see $LOGS/add-user.log)"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(bytes([1, 2, 0, 12, 5]) + b"bench" + bytes([5]) + b"bench")
answer = b""
while len(answer) < 4:
    chunk = s.recv(4 - len(answer))
    if not chunk:
        break
    answer += chunk
print("ADD_USER answer:", answer.hex())
sys.exit(0 if answer[:2] == bytes([1, 0]) else 1)
EOF
RECORD=$(redis-cli -p "$REDIS_PORT" --raw HGET "${PREFIX}users" bench)
[[ -n $RECORD ]] || die "no record of bench in Redis"
# The same record (salt, iterations, hash) in a users file: both nodes check the same PBKDF2 derivation.
USERS_FILE="$RUN_DIR/users"
printf 'socks5d-users v1\n%s\n' "$RECORD" >"$USERS_FILE"
chmod 600 "$USERS_FILE"
log "starting the --users-file node"
start_socks5d file --users-file "$USERS_FILE"

# ---------------------------------------------------------------- one measurement
rate() { # name round
    local name=$1 round=$2 f="$LOGS/rate-$1-r$2.txt" rc=0
    timeout -k 5 60 "$LOADGEN" rate -x "127.0.0.1:${PROXY_PORT[$name]}" -m "${PROXY_PID[$name]}" -u bench -P bench \
        -d "$ECHO_CLOSE" -c "$CONC" -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10 >"$f" 2>&1 || rc=$?
    local line; line=$(sed -n 's/^RESULT //p' "$f" | tail -1)
    [[ -n $line ]] || die "no RESULT from loadgen against $name (exit $rc), see $f"
    jq -cn --arg s "$name" --argjson r "$round" --argjson res "$line" '{server:$s,round:$r,r:$res}' >>"$RESULTS"
    log "  $name r$round: $(sed -n '2p' "$f" | sed 's/^ *//')"
}

log "warm-up (JIT, pools, the first PBKDF2 derivation of each node)"
timeout -k 5 30 "$LOADGEN" rate -x "127.0.0.1:${PROXY_PORT[file]}" -u bench -P bench -d "$ECHO_CLOSE" -c "$CONC" -T 1 -w 0.5 -o 10 \
    >"$LOGS/warmup-file.txt" 2>&1 || true
timeout -k 5 30 "$LOADGEN" rate -x "127.0.0.1:${PROXY_PORT[redis]}" -u bench -P bench -d "$ECHO_CLOSE" -c "$CONC" -T 1 -w 0.5 -o 10 \
    >"$LOGS/warmup-redis.txt" 2>&1 || true

for ((r = 1; r <= REPS; r++)); do
    log "round $r/$REPS"
    if ((r % 2)); then rate file "$r"; rate redis "$r"; else rate redis "$r"; rate file "$r"; fi
done
MEASURE_S=$(($(date +%s) - T_MEASURE))

# ---------------------------------------------------------------- report
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | head -1)
SECTION="$RUN_DIR/section.md"
python3 - "$RESULTS" "$SECTION" <<EOF
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def rates(name): return [r["r"]["conn_per_s"] for r in rows if r["server"] == name]
def errors(name): return sum(r["r"]["err_auth"] + r["r"]["err_handshake"] + r["r"]["err_connect"] + r["r"]["err_timeout"] + r["r"]["err_io"] for r in rows if r["server"] == name)
def p50(name): return statistics.median([r["r"]["lat_us"]["p50"] for r in rows if r["server"] == name])
def cpu(name): return statistics.median([r["r"]["proxy_cpu_us_per_conn"] for r in rows if r["server"] == name])
f, d = rates("file"), rates("redis")
mf, md = statistics.median(f), statistics.median(d)
ratio = md / mf if mf else 0
within = abs(1 - ratio) <= 0.05
smoke = "$SMOKE" == "1"
out = []
out.append(f"Run of $(date -u +%Y-%m-%dT%H:%M:%SZ) ({'SMOKE run: tiny sizes, not a measurement' if smoke else 'full run'}), "
           f"{$MEASURE_S} s of measuring; commit $commit${dirty:+ (src modified)}, $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg).")
out.append("")
out.append(f"\`loadgen rate -c $CONC -T $RATE_T -w $RATE_W -u bench -P bench\` (greeting, RFC 1929, CONNECT to a loopback echo server "
           f"that closes, close), $REPS interleaved rounds, the order swapped every round.")
out.append("")
out.append("| node | conn/s per round | median conn/s | median latency p50 (us) | proxy CPU per connection (us) | errors |")
out.append("|---|---|---|---|---|---|")
for name, label, values in (("file", "\`--users-file\`", f), ("redis", "\`--redis\`", d)):
    out.append(f"| {label} | {', '.join(f'{v:.0f}' for v in values)} | {statistics.median(values):.0f} | {p50(name):.0f} | {cpu(name):.1f} | {errors(name)} |")
out.append("")
out.append(f"Ratio \`--redis\` / \`--users-file\` of the medians: **{ratio:.3f}** ({(ratio - 1) * 100:+.1f} %): "
           f"{'within' if within else 'NOT within'} 5 %.")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF

if [[ $SMOKE == 1 ]]; then
    { echo "$BEGIN_MARK"; echo; cat "$SECTION"; echo; echo "$END_MARK"; } >"$OUT_MD"
else
    python3 - "$OUT_MD" "$SECTION" "$BEGIN_MARK" "$END_MARK" <<'EOF'
import sys
path, section, begin, end = sys.argv[1:5]
text = open(path).read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + begin + "\n\n" + open(section).read() + "\n" + end + tail)
EOF
fi
log "results in $OUT_MD"
cat "$SECTION" >&2
