#!/usr/bin/env bash
# bench/run.sh - measure socks5d against baselines (no proxy, microsocks, dante) in one run.
#
# Everything listens and connects on loopback only; every step is bounded in time and the whole
# script stops measuring when its budget (BUDGET seconds, default 720, build included) runs out.
# Every process the script starts is stopped on exit.
#
# Order: held connections (fresh process per proxy, RLIMIT_NOFILE exactly HELD_NOFILE), cold start
# (fresh socks5d-auth and microsocks-auth), then on long-running proxies: idle memory, REPS rounds
# of push / pull / rate c=32 (1 s warm-up), a warm-up until every proxy has run STEADY_AFTER s of
# c=32 load, REPS rounds of rate c=32 (steady) / rate c=1.
#
# Usage: bench/run.sh                 full run, writes docs/benchmarks.md
#        SMOKE=1 bench/run.sh         tiny sizes, one round, writes bench/out/benchmarks-smoke.md
#
# Knobs (environment): REPS (rounds of the throughput/rate tests, default 3), PUSH_SIZE (bytes of
# the 1-stream push, default 1G), PULL_SIZE (bytes per stream of the 8-stream pull, default 128M),
# RATE_T / RATE_W (measured / warm-up seconds of each rate run, default 5 / 1), IDLE_K (idle
# connections, default 2000), HELD_K (relayed connections of the held test, default 9900),
# HELD_NOFILE (the proxies' descriptor limit, default 20000), COLD_T / COLD_STEADY_AT (seconds of the
# cold-start runs, REPS of them, and where their steady part starts, default 20 / 15), STEADY_AFTER (seconds of c=32
# load every proxy has run before the steady rounds, default 15), WITH_DANTE (1 = measure dante too
# if it is or can be installed, default 1), SKIP_BUILD (1 = reuse bench/out, 0 = always publish;
# unset: publish socks5d only if a file under src/ changed since the last publish), BUDGET (seconds,
# default 720), OUT_MD (report path).
set -euo pipefail

T_START=$(date +%s)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT="$BENCH_DIR/out"

SMOKE=${SMOKE:-0}
if [[ $SMOKE == 1 ]]; then
    : "${REPS:=1}" "${PUSH_SIZE:=128M}" "${PULL_SIZE:=16M}" "${RATE_T:=1}" "${RATE_W:=0.5}" "${IDLE_K:=200}"
    : "${HELD_K:=300}" "${COLD_T:=7}" "${COLD_STEADY_AT:=5}" "${STEADY_AFTER:=3}" "${IDLE_W:=1}"
    : "${OUT_MD:=$OUT/benchmarks-smoke.md}"
fi
REPS=${REPS:-3}
PUSH_SIZE=${PUSH_SIZE:-1G}
PULL_SIZE=${PULL_SIZE:-128M}
PULL_STREAMS=8
RATE_T=${RATE_T:-5}
RATE_W=${RATE_W:-1}
IDLE_K=${IDLE_K:-2000}
IDLE_W=${IDLE_W:-2}
HELD_K=${HELD_K:-9900}
HELD_NOFILE=${HELD_NOFILE:-20000}
COLD_T=${COLD_T:-20}
COLD_STEADY_AT=${COLD_STEADY_AT:-15}
COLD_FIRST=5
STEADY_AFTER=${STEADY_AFTER:-15}
WITH_DANTE=${WITH_DANTE:-1}
SKIP_BUILD=${SKIP_BUILD:-}
BUDGET=${BUDGET:-720}
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
# (one ps for the whole tree: a held dante has more than a thousand children)
tree() {
    ps -e -o pid=,ppid= 2>/dev/null | awk -v root="$1" '
        { pp[$1] = $2 }
        END { t[root] = 1; print root
              do { more = 0; for (p in pp) if (!(p in t) && (pp[p] in t)) { t[p] = 1; print p; more = 1 } } while (more) }'
}
fd_count() { local n=0 p; for p in $(tree "$1"); do n=$((n + $(ls "/proc/$p/fd" 2>/dev/null | wc -l))); done; echo $n; }
status_sum() { # pid field
    local n=0 p v
    for p in $(tree "$1"); do v=$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null); n=$((n + ${v:-0})); done
    echo $n
}
threads_of() { status_sum "$1" Threads; }
rss_of() { status_sum "$1" VmRSS; }

# ---------------------------------------------------------------- build
for tool in gcc dotnet jq python3 ss timeout prlimit; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y gcc jq python3 iproute2 coreutils util-linux; .NET SDK 10)"
done
mkdir -p "$OUT"
rm -rf "$RUN_DIR"
mkdir -p "$LOGS"
: >"$RESULTS"

if [[ $SKIP_BUILD != 1 || ! -x $LOADGEN ]]; then # (cheap: always, unless SKIP_BUILD=1)
    build_loadgen
fi
# SKIP_BUILD unset: publish unless the last publish (its stamp) is newer than every source file
STAMP="$OUT/socks5d/.published"
stale() { [[ ! -f $STAMP ]] || [[ -n $(find "$ROOT/src" "$ROOT"/*.props "$ROOT"/*.targets "$ROOT"/*.sln -newer "$STAMP" \
    -type f -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | head -1) ]]; }
if [[ ! -x $SOCKS5D || $SKIP_BUILD == 0 ]] || { [[ -z $SKIP_BUILD ]] && stale; }; then
    log "publishing socks5d (Release)"
    rm -f "$STAMP"
    publish_socks5d "$ROOT" "$OUT/socks5d" publish.log
    touch "$STAMP"
else
    log "socks5d in $OUT/socks5d is up to date with src/ (SKIP_BUILD=0 publishes anyway)"
fi
[[ -x $SOCKS5D ]] || die "no socks5d at $SOCKS5D"

apt_install() { # package
    log "installing $1 (apt-get)"
    local rc=0
    if [[ $(id -u) == 0 ]]; then
        { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq "$1"; } >"$LOGS/apt-$1.log" 2>&1 || rc=$?
    else
        { timeout 300 sudo -n apt-get update -qq && timeout 300 sudo -n apt-get install -y -qq "$1"; } >"$LOGS/apt-$1.log" 2>&1 || rc=$?
    fi
    ((rc == 0)) || log "apt-get install $1 failed (exit $rc): $(tail -1 "$LOGS/apt-$1.log")"
    return $rc
}
# Debian installs danted in /usr/sbin, which is not on an unprivileged user's PATH: look there too.
find_tool() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } || true; }
MICROSOCKS=$(find_tool microsocks)
[[ -n $MICROSOCKS ]] || { apt_install microsocks || true; MICROSOCKS=$(find_tool microsocks); }
HAVE_MICROSOCKS=0
[[ -n $MICROSOCKS ]] && HAVE_MICROSOCKS=1 || log "microsocks unavailable: no microsocks baseline"
HAVE_DANTE=0 DANTED=
if [[ $WITH_DANTE == 1 ]]; then
    DANTED=$(find_tool danted)
    [[ -n $DANTED ]] || { apt_install dante-server || true; DANTED=$(find_tool danted); }
    [[ -n $DANTED ]] && HAVE_DANTE=1 || log "dante unavailable (no danted on PATH or in /usr/sbin): no dante baseline"
fi

# Descriptor limits: each proxy runs under exactly HELD_NOFILE; the load generator and the target
# server each hold HELD_K sockets at once in the held test, so they need a bit more than HELD_K.
HARD_NOFILE=$(ulimit -Hn)
[[ $HARD_NOFILE == unlimited ]] && HARD_NOFILE=1048576
HELD_OK=1 HELD_WHY= LG_PRL=()
if ((HARD_NOFILE < HELD_NOFILE)) && [[ $(id -u) != 0 ]]; then
    HELD_OK=0 HELD_WHY="hard RLIMIT_NOFILE is $HARD_NOFILE < $HELD_NOFILE and not root"
fi
need=$((HELD_K + 512))
if ((HARD_NOFILE < need)); then
    if [[ $(id -u) == 0 ]]; then LG_PRL=(prlimit --nofile=$need:$need); else HELD_OK=0 HELD_WHY="hard RLIMIT_NOFILE is $HARD_NOFILE < $need"; fi
fi
PRX_PRL=(prlimit "--nofile=$HELD_NOFILE:$HELD_NOFILE")
((HARD_NOFILE >= HELD_NOFILE)) || [[ $(id -u) == 0 ]] || PRX_PRL=()

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
    --arg rate_w "$RATE_W" --arg idle_k "$IDLE_K" --arg held_k "$HELD_K" --arg held_nofile "$HELD_NOFILE" \
    --arg proxy_nofile "$([[ ${#PRX_PRL[@]} -gt 0 ]] && echo "$HELD_NOFILE" || ulimit -n)" \
    --arg held_why "$HELD_WHY" --arg cold_t "$COLD_T" --arg cold_steady_at "$COLD_STEADY_AT" \
    --arg cold_first "$COLD_FIRST" --arg steady_after "$STEADY_AFTER" --arg budget "$BUDGET" \
    '{date:$date, nproc:$nproc, kernel:$kernel, cpu:$cpu, mem:$mem, nofile:$nofile, dotnet_sdk:$dotnet,
      dotnet_runtime:$runtime, commit:$commit, gcc:$gcc, microsocks:$microsocks, dante:$dante,
      loadavg_start:$load, smoke:$smoke, reps:$reps, push_size:$push, pull_size:$pull,
      pull_streams:$pulln, rate_t:$rate_t, rate_w:$rate_w, idle_k:$idle_k, held_k:$held_k,
      held_nofile:$held_nofile, proxy_nofile:$proxy_nofile, held_skipped:$held_why, cold_t:$cold_t,
      cold_steady_at:$cold_steady_at, cold_first:$cold_first, steady_after:$steady_after, budget:$budget}' >"$FACTS"

# ---------------------------------------------------------------- servers
SRV_PORT=$(free_port 4)
"${LG_PRL[@]}" "$LOADGEN" serve -l 127.0.0.1 -p "$SRV_PORT" -L "$BUDGET" >"$LOGS/target.log" 2>&1 &
SRV_PID=$!; PIDS+=("$SRV_PID")
wait_listen $((SRV_PORT + 3)) "$SRV_PID" target
ECHO="127.0.0.1:$SRV_PORT" SINK="127.0.0.1:$((SRV_PORT + 1))" SOURCE="127.0.0.1:$((SRV_PORT + 2))"
ECHO_CLOSE="127.0.0.1:$((SRV_PORT + 3))"

# name -> port, pid, auth(0|1); every proxy starts under RLIMIT_NOFILE = HELD_NOFILE (PRX_PRL)
declare -A PROXY_PORT PROXY_PID PROXY_AUTH PROXY_T0
SERVERS=()
KINDS=(socks5d-anon socks5d-auth)
[[ $HAVE_MICROSOCKS == 1 ]] && KINDS+=(microsocks microsocks-auth)
[[ $HAVE_DANTE == 1 ]] && KINDS+=(dante)

# spawn NAME KIND LOGNAME: start a proxy of KIND (one of KINDS) as NAME; does not wait for it
spawn() {
    local name=$1 kind=$2 lname=$3 port mport
    port=$(free_port)
    case $kind in
        socks5d-anon | socks5d-auth)
            mport=$(free_port)
            local args=(-l 127.0.0.1 -p "$port" -L 127.0.0.1 -P "$mport" --drain-timeout 1s)
            if [[ $kind == socks5d-auth ]]; then args+=(-u bench:bench); else args+=(--allow-anonymous); fi
            # in RUN_DIR: its default credentials log (./credentials.log) lands there, not in the tree
            (cd "$RUN_DIR" && exec "${PRX_PRL[@]}" "$SOCKS5D" "${args[@]}") >"$LOGS/$lname.log" 2>&1 &
            ;;
        microsocks | microsocks-auth)
            local args=(-i 127.0.0.1 -p "$port")
            [[ $kind == microsocks-auth ]] && args+=(-u bench -P bench)
            "${PRX_PRL[@]}" "$MICROSOCKS" "${args[@]}" >"$LOGS/$lname.log" 2>&1 &
            ;;
        dante)
            {
                echo "logoutput: $LOGS/$lname-internal.log"
                echo "internal: 127.0.0.1 port = $port"
                echo "external: 127.0.0.1"
                echo "clientmethod: none"
                echo "socksmethod: none"
                if [[ $(id -u) == 0 ]]; then echo "user.privileged: root"; echo "user.unprivileged: nobody"; fi
                echo "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
                echo "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
            } >"$RUN_DIR/$lname.conf"
            "${PRX_PRL[@]}" "$DANTED" -f "$RUN_DIR/$lname.conf" -p "$RUN_DIR/$lname.pid" -N 1 >"$LOGS/$lname.log" 2>&1 &
            ;;
    esac
    PROXY_PID[$name]=$!; PIDS+=("$!")
    PROXY_T0[$name]=$(date +%s%N)
    PROXY_PORT[$name]=$port
    PROXY_AUTH[$name]=0
    [[ $kind == *-auth ]] && PROXY_AUTH[$name]=1
    return 0
}
# wait_listen_fast PORT PID NAME: like wait_listen, polling every 10 ms (the cold start is timed)
wait_listen_fast() {
    for _ in $(seq 1500); do
        [[ -n $(ss -Htln "( sport = :$1 )" 2>/dev/null) ]] && return 0
        kill -0 "$2" 2>/dev/null || die "$3 exited before listening (see $LOGS/$3.log)"
        sleep 0.01
    done
    die "$3 does not listen on port $1 after 15 s"
}
# stop NAME: SIGTERM the proxy and its descendants, SIGKILL after 5 s; prints nothing
stop_proxy() {
    local pid=${PROXY_PID[$1]} p all
    all=$(tree "$pid")
    for p in $all; do kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    for p in $all; do kill -KILL "$p" 2>/dev/null || true; done
    wait "$pid" 2>/dev/null || true
}

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
    local args=("$@") pre=()
    if [[ $server != direct ]]; then
        args+=(-x "127.0.0.1:${PROXY_PORT[$server]}" -m "${PROXY_PID[$server]}")
        [[ ${PROXY_AUTH[$server]} == 1 ]] && args+=(-u bench -P bench)
    fi
    [[ $test == held* ]] && pre=("${LG_PRL[@]}")
    local f="$LOGS/$test-$server-r$round.txt" rc=0
    timeout -k 5 "$cap" "${pre[@]}" "$LOADGEN" "${args[@]}" >"$f" 2>&1 || rc=$?
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

# ---------------------------------------------------------------- held connections (fresh processes)
# For each proxy: a fresh process under RLIMIT_NOFILE = HELD_NOFILE, warmed with 64 connections,
# then HELD_K relayed connections opened and held, every one checked with an echoed byte, RSS/PSS
# sampled while they are all open; then: is the proxy still alive, and does it still relay?
if [[ $HELD_OK == 1 ]]; then
    log "held connections: $HELD_K relayed connections per proxy, proxy RLIMIT_NOFILE $HELD_NOFILE"
    for kind in "${KINDS[@]}"; do
        name="$kind"
        spawn "$name" "$kind" "held-$kind"
        wait_listen "${PROXY_PORT[$name]}" "${PROXY_PID[$name]}" "held-$kind"
        pid=${PROXY_PID[$name]}
        lim=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits" 2>/dev/null || echo 0)
        cap=75; [[ $kind == dante ]] && cap=120
        lg "$name" held-warmup 0 30 idle -d "$ECHO" -k 64 -c 64 -W 0.5 -o 10 -S 127.0.0.2 -L 20
        lg "$name" held 0 "$cap" idle -d "$ECHO" -k "$HELD_K" -c 128 -W "$IDLE_W" -o 20 -S 127.0.0.2 -L $((cap - 25))
        alive_held=false; kill -0 "$pid" 2>/dev/null && alive_held=true
        # still serving after the burst? (a few fresh connections)
        lg "$name" held-after 0 30 idle -d "$ECHO" -k 16 -c 16 -W 0.2 -o 10 -S 127.0.0.2 -L 20
        alive=false exit_st=null; kill -0 "$pid" 2>/dev/null && alive=true
        if [[ $alive == false ]]; then exit_st=0; wait "$pid" 2>/dev/null || exit_st=$?; fi
        maxc=$(sed -n 's/.*(SOCKS5, at most \([0-9]*\) connections.*/\1/p' "$LOGS/held-$kind.log" | head -1)
        aborted=$(grep -c -E 'Out of memory|Unhandled exception|SIGABRT|core dumped' "$LOGS/held-$kind.log" 2>/dev/null || true)
        jq -cn --arg s "$name" --argjson lim "${lim:-0}" --argjson a1 "$alive_held" --argjson a2 "$alive" \
            --arg maxc "${maxc:-}" --argjson ab "${aborted:-0}" --argjson st "$exit_st" \
            '{server:$s,test:"held-state",round:0,nofile:$lim,alive_after_held:$a1,alive_end:$a2,exit_status:$st,
              max_connections:(if $maxc == "" then null else ($maxc|tonumber) end),abort_lines:$ab}' >>"$RESULTS"
        stop_proxy "$name"
        unset "PROXY_PID[$name]"
    done
else
    log "held connections: skipped ($HELD_WHY)"
fi

# ---------------------------------------------------------------- cold start (fresh processes)
# A fresh process; as soon as it listens, c=32 connection-rate load for COLD_T s, counted per
# second; first COLD_FIRST s against the seconds from COLD_STEADY_AT on (the steady state).
COLD_KINDS=(socks5d-auth)
[[ $HAVE_MICROSOCKS == 1 ]] && COLD_KINDS+=(microsocks-auth)
# REPS interleaved rounds (a fresh process each): where the JIT's step falls varies from run to run.
log "cold start: c=32 from the first second, $COLD_T s, steady from ${COLD_STEADY_AT} s, $REPS round(s)"
for r in $(seq "$REPS"); do
    for kind in "${COLD_KINDS[@]}"; do
        name="$kind"
        spawn "$name" "$kind" "cold-$kind-r$r"
        wait_listen_fast "${PROXY_PORT[$name]}" "${PROXY_PID[$name]}" "cold-$kind-r$r"
        listen_ms=$((($(date +%s%N) - PROXY_T0[$name]) / 1000000))
        lg "$name" cold "$r" $((COLD_T + 20)) rate -d "$ECHO_CLOSE" -c 32 -T "$COLD_T" -w 0 -i 1 -M "$SRV_PID" -o 10
        jq -cn --arg s "$name" --argjson r "$r" --argjson ms "$listen_ms" \
            '{server:$s,test:"cold-start",round:$r,listen_ms:$ms}' >>"$RESULTS"
        stop_proxy "$name"
        unset "PROXY_PID[$name]"
    done
done

# ---------------------------------------------------------------- the long-running proxies
log "starting the proxies for the rest of the run"
for kind in "${KINDS[@]}"; do spawn "$kind" "$kind" "$kind"; done
for kind in "${KINDS[@]}"; do
    wait_listen "${PROXY_PORT[$kind]}" "${PROXY_PID[$kind]}" "$kind"
    SERVERS+=("$kind")
done

declare -A FD_START THREADS_START RSS_START LOADED
for s in "${SERVERS[@]}"; do
    FD_START[$s]=$(fd_count "${PROXY_PID[$s]}")
    THREADS_START[$s]=$(threads_of "${PROXY_PID[$s]}")
    RSS_START[$s]=$(rss_of "${PROXY_PID[$s]}")
    LOADED[$s]=0
done

# ---------------------------------------------------------------- idle memory, on fresh processes first
log "idle memory: $IDLE_K idle relayed connections per proxy"
for s in "${SERVERS[@]}"; do
    # warm the handshake path (JIT, pools) with a few connections, then measure
    lg "$s" idle-warmup 0 40 idle -d "$ECHO" -k 64 -c 64 -W 0.5 -o 10 -S 127.0.0.2 -L 30
    lg "$s" idle 0 80 idle -d "$ECHO" -k "$IDLE_K" -c 128 -W "$IDLE_W" -o 30 -S 127.0.0.2 -L 60
    state "$s" 0
done

# seconds of c=32 load a rate32 run puts on a proxy (awk: RATE_W may be fractional)
rate_load=$(awk -v w="$RATE_W" -v t="$RATE_T" 'BEGIN {print w + t}')
RATE_CAP=$(awk -v l="$rate_load" 'BEGIN {printf "%d", l + 20}') # a rate run's time limit (and budget check)
add_load() { LOADED[$1]=$(awk -v a="${LOADED[$1]}" -v b="$2" 'BEGIN {print a + b}'); }

# ---------------------------------------------------------------- throughput and rate (1 s warm-up), interleaved rounds
TARGETS=(direct "${SERVERS[@]}")
for ((r = 1; r <= REPS; r++)); do
    log "round $r/$REPS"
    for s in "${TARGETS[@]}"; do
        lg "$s" push "$r" 90 bulk -d "$SINK" -n 1 -s "$PUSH_SIZE" -M "$SRV_PID" -L 60
    done
    for s in "${TARGETS[@]}"; do
        lg "$s" pull "$r" 90 bulk -d "$SOURCE" -n "$PULL_STREAMS" -s "$PULL_SIZE" --pull -M "$SRV_PID" -L 60
    done
    # (no "direct" here: the steady rounds measure it, and the targets do not need it twice)
    for s in "${SERVERS[@]}"; do
        lg "$s" rate32 "$r" "$RATE_CAP" rate -d "$ECHO_CLOSE" -c 32 -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10
        add_load "$s" "$rate_load"
    done
    for s in "${SERVERS[@]}"; do state "$s" "$r"; done
done

# ---------------------------------------------------------------- warm-up to steady state
# every proxy has run at least STEADY_AFTER s of c=32 load before the steady rounds
log "warm-up: every proxy gets at least $STEADY_AFTER s of c=32 load before the steady rounds"
for s in "${SERVERS[@]}"; do
    need=$(awk -v a="${LOADED[$s]}" -v b="$STEADY_AFTER" 'BEGIN {d = b - a; print (d > 0 ? d : 0)}')
    if awk -v d="$need" 'BEGIN {exit !(d > 0)}'; then
        lg "$s" rate32-warmup 0 $((${need%.*} + 30)) rate -d "$ECHO_CLOSE" -c 32 -T "$need" -w 0 -M "$SRV_PID" -o 10
        add_load "$s" "$need"
    fi
    jq -cn --arg s "$s" --argjson l "${LOADED[$s]}" '{server:$s,test:"loaded",round:0,rate32_load_s:$l}' >>"$RESULTS"
done

# ---------------------------------------------------------------- steady rate c=32 and latency c=1, interleaved rounds
for ((r = 1; r <= REPS; r++)); do
    log "steady round $r/$REPS"
    for s in "${TARGETS[@]}"; do
        lg "$s" rate32-steady "$r" "$RATE_CAP" rate -d "$ECHO_CLOSE" -c 32 -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10
    done
    for s in "${TARGETS[@]}"; do
        lg "$s" rate1 "$r" "$RATE_CAP" rate -d "$ECHO_CLOSE" -c 1 -T "$RATE_T" -w "$RATE_W" -M "$SRV_PID" -o 10
    done
    for s in "${SERVERS[@]}"; do state "$s" $((REPS + r)); done
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
