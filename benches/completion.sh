#!/usr/bin/env bash
# Completion latency as a person feels it, and renewing many sites at once, against a fresh
# local IKE (real control plane + ike-controller), release build, side by side in one run.
#
#   1. `ike tenant show <TAB>`: the whole `ike` process bash starts at a TAB, exactly as the
#      registration script starts it (IKE_COMPLETE=bash ... ike -- ike tenant show ''), timed by
#      bash from fork to exit. As alice, an engineer in two tenants (not an admin: her cold
#      look-up is one refused list, whoami at the account API and one Table per tenant).
#        warm        names cached and fresh (no network)
#        cold        cache emptied before each TAB, site reachable (one bounded look-up)
#        hanging     cache empty, API server accepts and never answers: the deadline case
#        refused     cache empty, API server stopped (connection refused)
#      The background refresh is off (IKE_COMPLETION_BACKGROUND=0) and the "site is down"
#      marker removed before each TAB, so every cold, hanging and refused TAB pays its look-up.
#   2. `ike login --all` with 1 site and with 10 sites (alice's files copied under 10 names),
#      RUNS each: median wall time and the ratio (goal <= 1.5x); on loopback, where a renewal
#      is nothing but CPU on both ends of one 2-core machine, and with every account API 20 ms
#      away (a delaying TCP proxy), as sites are.
#
# Run from anywhere:  benches/completion.sh
# Knobs (env): N (warm TABs, 200), M (cold/hanging/refused TABs, 40), RUNS (logins, 10),
#              IKE_COMPLETION_TIMEOUT (deadline, 250ms), SKIP_BUILD=1, KEEP=1.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

N=${N:-200}
M=${M:-40}
RUNS=${RUNS:-10}
DEADLINE_MS=${IKE_COMPLETION_TIMEOUT:-250ms}
DEADLINE_MS=${DEADLINE_MS%ms}

source benches/lib.sh
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", 1000 * (b - a) }'; }

build_release
need_tools kubectl jq python3
bench_work completion target/release
add_persons "$work" admin alice ten
alice=$work/home-alice
# What every person runs is this bench's ike, its completion refreshing nothing in the background.
export PATH=$work/bin:$PATH IKE_COMPLETION_BACKGROUND=0
hole_pid=
proxy_pid=
stop_helpers() {
  [[ -z $hole_pid ]] || kill "$hole_pid" 2>/dev/null
  [[ -z $proxy_pid ]] || kill "$proxy_pid" 2>/dev/null
}
stop_local_on_exit --first stop_helpers

start_local
read_login "$up_out"
as admin "$ike" "${login_args[@]}" >/dev/null
until as admin "$ike" account create alice -o json >"$work/alice.json" 2>/dev/null; do sleep 0.2; done
server=$(grep -o -- '--server [^ ]*' <<<"$login" | cut -d' ' -f2)
pin=$(grep -o -- '--ca-pin [^ ]*' <<<"$login" | cut -d' ' -f2)
jq -r .token "$work/alice.json" >"$work/alice.token"
until as alice "$ike" login --site local --server "$server" --ca-pin "$pin" \
  --token-file "$work/alice.token" >/dev/null 2>&1; do sleep 0.2; done
for t in payments shop; do
  as admin "$ike" tenant create "$t" --owner alice --namespace "$t-prod" --namespace "$t-dev" >/dev/null
done
log "alice is in tenants payments and shop (load $(load))"

names=$alice/.cache/ike/sites/local/names
tab() {
  as alice env IKE_COMPLETE=bash _CLAP_IFS=$'\013' _CLAP_COMPLETE_INDEX=3 \
    _CLAP_COMPLETE_COMP_TYPE=9 "$ike" -- ike tenant show ''
}
# measure NAME COUNT PREPARE: times COUNT TABs, PREPARE run before each one (not timed).
measure() {
  local name=$1 count=$2 prepare=$3 out=$work/$1.txt a b got
  : >"$out"
  for ((i = 0; i < count; i++)); do
    $prepare
    a=$EPOCHREALTIME
    got=$(tab)
    b=$EPOCHREALTIME
    ms "$a" "$b" >>"$out"
    echo "$got" >"$work/$name.last"
  done
}
nothing() { :; }
cold() { rm -rf "$names"; }

log "1. completion latency of 'ike tenant show <TAB>' (whole ike process, ms; deadline ${DEADLINE_MS} ms; load $(load))"
tab >/dev/null
for ((i = 0; i < 10; i++)); do tab >/dev/null; done
grep -q payments <<<"$(tab)" || { echo "warm TAB does not offer payments: $(tab)" >&2; exit 1; }
measure warm "$N" nothing
measure cold "$M" cold
grep -q payments "$work/cold.last" || { echo "cold TAB does not offer payments" >&2; exit 1; }

# The API server of alice's context replaced by one that hangs, then by a stopped one.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept())
' >"$work/hole.port" &
hole_pid=$!
until [[ -s $work/hole.port ]]; do sleep 0.05; done
hole=https://127.0.0.1:$(cat "$work/hole.port")
refused=https://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
real=$(as alice kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
cfg=$alice/.kube/config
sed -i "s#$real#$hole#" "$cfg"
measure hanging "$M" cold
sed -i "s#$hole#$refused#" "$cfg"
measure refused "$M" cold
sed -i "s#$refused#$real#" "$cfg"

summary() {
  sort -n "$work/$1.txt" | awk -v name="$1" -v goal="$2" '{ v[NR] = $1 } END {
    p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1]
    printf "   %-34s p50 %6.1f  p95 %6.1f  max %6.1f ms over %3d   (goal p95 <= %s ms)\n", name, p50, p95, v[NR], NR, goal }'
}
summary warm 50
summary cold 300
summary hanging $((DEADLINE_MS + 20))
summary refused $((DEADLINE_MS + 20))

log "2. ike login --all: 1 site vs 10 sites, $RUNS runs each (load $(load))"
# The same account on 10 sites: alice's files copied under 10 names (the same account API).
ten=$work/home-ten
mkdir -p "$ten/.kube"  # no context yet: the first `login --all` writes the ten
for ((i = 0; i < 10; i++)); do
  site=$(printf 'site%02d' "$i")
  mkdir -p "$ten/.local/share/ike/sites/$site"
  cp "$alice/.local/share/ike/sites/local/"{ca.pem,identity.pem} "$ten/.local/share/ike/sites/$site/"
  jq --arg s "$site" '.site = $s' "$alice/.local/share/ike/sites/local/site.json" \
    >"$ten/.local/share/ike/sites/$site/site.json"
done
as ten "$ike" login --all 2>/dev/null  # writes the 10 contexts, once
as alice "$ike" login --all 2>/dev/null
logins() {
  local who=$1 out=$2 a b
  : >"$out"
  for ((i = 0; i < RUNS; i++)); do
    a=$EPOCHREALTIME
    as "$who" "$ike" login --all 2>"$work/login.err" || { cat "$work/login.err" >&2; exit 1; }
    b=$EPOCHREALTIME
    ms "$a" "$b" >>"$out"
  done
  sort -n "$out" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
report() {
  local one many
  one=$(logins "$1" "$work/login1.txt")
  many=$(logins "$2" "$work/login10.txt")
  grep -c renewed "$work/login.err" | grep -qx 10 || { cat "$work/login.err" >&2; exit 1; }
  awk -v a="$one" -v b="$many" -v what="$3" 'BEGIN {
    printf "   %-24s 1 site: median %6.1f ms   10 sites: median %6.1f ms   %.2fx (goal <= 1.5x)\n", what, a, b, b / a }'
}
report alice ten "loopback:"

# Sites are not on this machine: the same, with every account API 20 ms away (a TCP proxy
# that delays each chunk 10 ms each way), the account API's own work unchanged.
api=$(jq -r .accountApi "$alice/.local/share/ike/sites/local/site.json")
python3 -c '
import asyncio, sys
host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
async def pipe(r, w):
    try:
        while data := await r.read(65536):
            await asyncio.sleep(delay)
            w.write(data)
            await w.drain()
    finally:
        w.close()
async def handle(cr, cw):
    ur, uw = await asyncio.open_connection(host, port)
    await asyncio.gather(pipe(cr, uw), pipe(ur, cw), return_exceptions=True)
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()
asyncio.run(main())
' "$(sed -E 's#https://([^:]+):.*#\1#' <<<"$api")" "${api##*:}" 0.010 >"$work/proxy.port" &
proxy_pid=$!
until [[ -s $work/proxy.port ]]; do sleep 0.05; done
far=https://127.0.0.1:$(cat "$work/proxy.port")
for home in "$alice" "$ten"; do
  for f in "$home"/.local/share/ike/sites/*/site.json; do
    jq --arg u "$far" '.accountApi = $u' "$f" >"$f.new" && mv "$f.new" "$f"
  done
done
report alice ten "20 ms RTT to each site:"
kill "$proxy_pid"
log "done (load $(load))"
