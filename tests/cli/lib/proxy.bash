# SPDX-License-Identifier: Apache-2.0
# Helpers of the tests/cli/proxy_*.sh scripts (sourced after common.bash):
# a test PKI, the test peer, starting tlcp proxy and echo backends, and
# killing every process they started on exit.
PEER="$(dirname "$TLCP")/tlcp-testpeer"
[ -x "$PEER" ] || { echo "tlcp-testpeer not built next to $TLCP"; exit 1; }
PIDS=()
proxy_cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    cleanup
}
trap proxy_cleanup EXIT

P="$W/pki"
"$TLCP" certgen --out "$P" --client >/dev/null 2>&1 || { echo "certgen failed"; exit 1; }
PAIR_LINE="pair = $P/server-sign.pem $P/server-sign.key $P/server-enc.pem $P/server-enc.key"
SERVER_PAIRS=(--sign-cert "$P/server-sign.pem" --sign-key "$P/server-sign.key"
    --enc-cert "$P/server-enc.pem" --enc-key "$P/server-enc.key")
CLIENT_PAIRS=(--sign-cert "$P/client-sign.pem" --sign-key "$P/client-sign.key"
    --enc-cert "$P/client-enc.pem" --enc-key "$P/client-enc.key")
client() { timeout 60 "$TLCP" client "$@"; }

# start_echo NAME [peer options]: plain echo backend; sets ECHO_PORT.
start_echo() {
    local name=$1
    shift
    rm -f "$W/$name.port"
    "$PEER" echo "$W/$name.port" "$@" &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        [ -s "$W/$name.port" ] && break
        sleep 0.05
    done
    ECHO_PORT=$(cat "$W/$name.port")
}

# start_tlcp_server: a `tlcp server` (it echoes) on 127.0.0.1 as the TLCP
# end of originating services; sets TSRV.
start_tlcp_server() {
    "$TLCP" server --bind 127.0.0.1 --port 0 "${SERVER_PAIRS[@]}" 2>"$W/tlcpsrv.log" &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q "listening on" "$W/tlcpsrv.log" && break; sleep 0.05; done
    TSRV=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$W/tlcpsrv.log")
}

# start_proxy LOG ARGS...: sets PX_PID once every service listens.
start_proxy() {
    local log=$1
    shift
    "$TLCP" proxy "$@" 2>"$log" &
    PX_PID=$!
    PIDS+=($PX_PID)
    for _ in $(seq 1 200); do
        grep -q "listening on" "$log" && return 0
        kill -0 "$PX_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# port_of LOG SERVICE: the port the proxy bound for [SERVICE].
port_of() { sed -n "s/.*\[$2\] listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p" "$1" | tail -1; }

# stop_proxy: SIGTERM, then wait (bounded) for the exit status in PX_RC.
stop_proxy() {
    kill -TERM "$PX_PID" 2>/dev/null
    PX_RC=0
    timeout 30 tail --pid="$PX_PID" -f /dev/null || { kill -9 "$PX_PID"; PX_RC=124; }
    wait "$PX_PID" || PX_RC=$?
}

# metrics PORT: the Prometheus text of the metrics endpoint.
metrics() { printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 10 "$PEER" connect 127.0.0.1 "$1"; }

# expect_metric FILE REGEX WHAT: a line of the metrics text matches REGEX.
expect_metric() {
    if grep -q -- "$2" "$1"; then ok "$3"; else bad "$3: no line matching '$2'"; fi
}

# conf_error WHAT MESSAGE: $W/c.conf fails --check with exit 3 and MESSAGE.
conf_error() {
    "$TLCP" proxy --config "$W/c.conf" --check >"$W/out" 2>"$W/cerr"
    local rc=$?
    if [ $rc -eq 3 ] && grep -qF -- "$2" "$W/cerr"; then ok "$1"; else
        bad "$1: exit $rc, expected 3 and '$2' in:"; sed 's/^/    | /' "$W/cerr"
    fi
}
