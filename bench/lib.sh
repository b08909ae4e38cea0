# bench/lib.sh - helpers shared by the bench scripts (run.sh, relaybuf.sh, soak.sh, fleet.sh; sourced, not run).
# Needs T_START (epoch seconds) and LOGS (folder of server logs) set by the caller.

log() { printf '[%4ds] %s\n' $(($(date +%s) - T_START)) "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Every process a script starts goes into PIDS; every scratch path into CLEANUP_PATHS. On exit
# (normal, error or signal) the processes get SIGTERM, then SIGKILL after 5 s, and the paths go.
declare -a PIDS=()
declare -a CLEANUP_PATHS=()
cleanup() {
    local rc=$? pid path
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
        wait "$pid" 2>/dev/null || true
    done
    for path in "${CLEANUP_PATHS[@]}"; do [[ -n $path ]] && rm -rf "$path"; done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { [[ -z $(ss -Htan "( sport = :$1 )" 2>/dev/null) ]]; }
# a free TCP port below the ephemeral range; with n>1, n consecutive free ports
free_port() {
    local n=${1:-1} p i ok
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        ok=1
        for ((i = 0; i < n; i++)); do port_free $((p + i)) || { ok=0; break; }; done
        if [[ $ok == 1 ]]; then echo "$p"; return 0; fi
    done
    die "no free port found"
}
wait_listen() { # port pid name
    for _ in $(seq 150); do
        [[ -n $(ss -Htln "( sport = :$1 )" 2>/dev/null) ]] && return 0
        kill -0 "$2" 2>/dev/null || die "$3 exited before listening (see $LOGS/$3.log)"
        sleep 0.1
    done
    die "$3 does not listen on port $1 after 15 s"
}

# Builds bench/loadgen.c into $LOADGEN (needs BENCH_DIR and LOADGEN).
build_loadgen() {
    log "building loadgen"
    gcc -O2 -Wall -o "$LOADGEN" "$BENCH_DIR/loadgen.c" -lpthread
}
# publish_socks5d TREE DEST LOGNAME: socks5d in Release from the tree at TREE into DEST, its output in $LOGS/LOGNAME.
publish_socks5d() {
    (cd "$1" && timeout 300 dotnet publish src/ProxyHost -c Release -o "$2" -nologo -v q) \
        >"$LOGS/$3" 2>&1 || die "dotnet publish failed (see $LOGS/$3)"
}
