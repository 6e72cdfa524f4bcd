#!/usr/bin/env bash
# Notifications at scale, against a fresh local IKE (real control plane, ike-controller, the
# real Alertmanager 0.25 it configures), release build:
#
#   1. N configs (2/5 BarryConfig, 2/5 EmailConfig, 1/5 TeamsConfig) over NS namespaces, applied
#      at once with `kubectl apply --server-side`: time until Alertmanager runs every receiver,
#      until every status says Configured; the rendered size.
#   2. One config change -> visible in Alertmanager's running configuration, SAMPLES times each:
#      an EmailConfig's recipient changed (seen in GET /api/v2/status) and a new EmailConfig (its
#      receiver seen in GET /api/v2/receivers); p50/p90/p99/max, from before kubectl starts and
#      from when it returns. One render, one write and one reload with N configs as the
#      controller measures them, and Alertmanager's reload of that configuration measured
#      directly (POST /-/reload).
#   3. Resync with nothing changed, twice: a render forced by a change that does not matter (an
#      annotation on the base Secret), and a controller restart. Counted: configuration writes,
#      reloads and status writes (controller metrics), writes to notification objects (the
#      apiserver's counters), the file's mtime and Alertmanager's "Loading configuration" lines.
#   4. One tenant floods the relay, another tests: tenant A (5 namespaces labelled as one
#      tenant's, 20 TeamsConfigs each) points at a server that accepts and never answers; tenant
#      B's TeamsConfig at a webhook that answers 202. B's `ike notify test` (wall time until it
#      reports the test delivered), FLOOD_SAMPLES times with A's configs quiet, then as many
#      times while alerts fire for all 100 of A's; p50 and max of each, and their ratio.
#
# Run from anywhere:  benches/notify.sh           (N=1000, NS=300)
#                     N=100 NS=30 benches/notify.sh   (quick)
# Knobs (env): N, NS, SAMPLES (50), FLOOD_SAMPLES (10), SECTIONS ("1 2 3 4"; 1 always runs),
#   SKIP_BUILD=1 (use the binaries as they are), BIN_DIR (target/release), KEEP=1.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

N=${N:-1000}
NS=${NS:-300}
SAMPLES=${SAMPLES:-50}
FLOOD_SAMPLES=${FLOOD_SAMPLES:-10}
SECTIONS=${SECTIONS:-1 2 3 4}
BIN_DIR=${BIN_DIR:-target/release}
wanted() { [[ " $SECTIONS " == *" $1 "* ]]; }

source benches/lib.sh

build_release
need_tools kubectl jq curl amtool python3
bench_work notify "$BIN_DIR"
ctl_pid=
helper_pids=()
stop_helpers() { for pid in "${helper_pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
# The controller section 3 restarts, should `local down` have missed it.
kill_controller() { if [[ -n $ctl_pid ]] && kill -0 "$ctl_pid" 2>/dev/null; then kill -KILL "$ctl_pid" 2>/dev/null; fi; }
stop_local_on_exit --first stop_helpers --last kill_controller --kept "logs in $dir"

metrics() { curl -s --max-time 5 "$murl" || true; }
series() { awk -v m="$1" '$1 == m { v = $2 } END { print v + 0 }'; }
metric() { metrics | series "$1"; }
# Writes to notification objects and Secrets in the apiserver's request counters.
api_writes() {
  k get --raw /metrics | awk '
    /^apiserver_request_total\{/ && /verb="(POST|PUT|PATCH|APPLY|DELETE)"/ && /code="2/ &&
    /resource="(barryconfigs|emailconfigs|teamsconfigs|secrets)"/ { s += $NF }
    END { print s + 0 }'
}
running_tenant_receivers() {
  curl -s --max-time 10 "$am/api/v2/status" | jq -r '.config.original' | grep -c '^- name: tenant/' || true
}
configured() {
  k get barryconfigs,emailconfigs,teamsconfigs -A \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="ReceiverConfigured")].reason}{"\n"}{end}' |
    grep -c '^Configured$' || true
}
am_loads() { grep -c 'Completed loading of configuration file' "$dir/alertmanager.log" || true; }
pct() { sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.3f", a[i] }'; }

######################################################################################### start
start_local "N=$N configs over NS=$NS namespaces"
murl=$(grep -o 'http://[0-9.]*:[0-9]*/metrics' <<<"$up_out" | head -n1)
am=$(grep -o "Alertmanager's UI: *http://[0-9.:]*" <<<"$up_out" | grep -o 'http://.*')
ctl_pid=$(tail -n1 "$dir/pids")
file=$dir/alertmanager/alertmanager.yml
log "up: controller $ctl_pid, metrics $murl, Alertmanager $am"

######################################################################################### 1. load
yaml=$work/configs.yaml
: >"$yaml"
for ((n = 0; n < NS; n++)); do
  ns=$(printf 'bn-%03d' "$n")
  cat >>"$yaml" <<EOF
---
apiVersion: v1
kind: Namespace
metadata: {name: $ns}
---
apiVersion: v1
kind: Secret
metadata: {name: barry, namespace: $ns}
stringData: {token: bench-token-$n}
---
apiVersion: v1
kind: Secret
metadata: {name: teams, namespace: $ns}
stringData: {url: "https://prod-1.westeurope.logic.azure.com/workflows/$n/triggers/manual/paths/invoke?sig=s$n"}
EOF
done
k apply --server-side -f "$yaml" >/dev/null
: >"$yaml"
for ((i = 0; i < N; i++)); do
  ns=$(printf 'bn-%03d' $((i % NS)))
  name=$(printf 'c-%04d' "$i")
  case $((i % 5)) in
  0 | 1) printf -- '---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: BarryConfig\nmetadata: {name: %s, namespace: %s}\nspec:\n  channels: [{name: %s-alerts}]\n  tokenSecretName: barry\n' "$name" "$ns" "$ns" ;;
  2 | 3) printf -- '---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: EmailConfig\nmetadata: {name: %s, namespace: %s}\nspec:\n  to: [oncall-%d@%s.example]\n  sendResolved: true\n' "$name" "$ns" "$i" "$ns" ;;
  4) printf -- '---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: TeamsConfig\nmetadata: {name: %s, namespace: %s}\nspec:\n  webhookUrlSecretName: teams\n' "$name" "$ns" ;;
  esac >>"$yaml"
done
log "1. (load $(load)) kubectl apply --server-side of $N configs"
t0=$EPOCHREALTIME
k apply --server-side -f "$yaml" >/dev/null
t_applied=$(secs "$t0" "$EPOCHREALTIME")
log "   kubectl done after ${t_applied}s; waiting for Alertmanager to run $N tenant receivers"
t_running=
t_configured=
while :; do
  [[ -z $t_running ]] && (($(running_tenant_receivers) >= N)) && t_running=$(secs "$t0" "$EPOCHREALTIME")
  if [[ -n $t_running ]] && (($(configured) >= N)); then
    t_configured=$(secs "$t0" "$EPOCHREALTIME")
    break
  fi
  (($(printf '%.0f' "$(secs "$t0" "$EPOCHREALTIME")") > 900)) && { log "   gave up after 900 s"; exit 1; }
  sleep 0.5
done
size=$(stat -c %s "$file")
m=$(metrics)
log "   Alertmanager runs all $N receivers ${t_running}s after the apply started; every status says Configured after ${t_configured}s"
log "   renders $(series ike_notify_renders_total <<<"$m"), configuration writes $(series 'ike_notify_config_writes_total{output="file"}' <<<"$m"), reloads $(series 'ike_notify_reloads_total{result="ok"}' <<<"$m"), status writes $(series 'ike_notify_status_writes_total{result="written"}' <<<"$m") during the load"
log "   rendered configuration: $size bytes ($(wc -l <"$file") lines) for $N receivers; amtool check-config: $(amtool check-config "$file" >/dev/null 2>&1 && echo ok || echo REFUSED)"

######################################################################################### 2. change
if wanted 2; then
log "2. (load $(load)) one config change -> visible in Alertmanager's running config, $SAMPLES times each"
m0=$(metrics)
# 2a. An EmailConfig's recipient changed; seen in GET /api/v2/status (polled every 100 ms: each
# answer re-encodes the whole configuration, and polling faster would load Alertmanager itself).
: >"$work/latency.edit"
for ((s = 0; s < SAMPLES; s++)); do
  i=$(((s * 5 + 2) % N)) # an EmailConfig
  ns=$(printf 'bn-%03d' $((i % NS)))
  name=$(printf 'c-%04d' "$i")
  addr="sample-$s-$RANDOM@bench.example"
  t0=$EPOCHREALTIME
  k patch emailconfig "$name" -n "$ns" --type=merge -p "{\"spec\":{\"to\":[\"$addr\"]}}" >/dev/null
  t1=$EPOCHREALTIME
  until curl -s --max-time 5 "$am/api/v2/status" | grep -q "$addr"; do sleep 0.1; done
  t2=$EPOCHREALTIME
  echo "$(secs "$t0" "$t2") $(secs "$t1" "$t2")" >>"$work/latency.edit"
done
# 2b. A new EmailConfig; its receiver seen in GET /api/v2/receivers (polled every 20 ms).
: >"$work/latency.new"
for ((s = 0; s < SAMPLES; s++)); do
  ns=$(printf 'bn-%03d' $((s % NS)))
  name="new-$s"
  t0=$EPOCHREALTIME
  printf 'apiVersion: monitoring.ike.dev/v1alpha1\nkind: EmailConfig\nmetadata: {name: %s, namespace: %s}\nspec: {to: [new-%d@bench.example]}\n' \
    "$name" "$ns" "$s" | k create -f - >/dev/null
  t1=$EPOCHREALTIME
  until curl -s --max-time 5 "$am/api/v2/receivers" | grep -q "\"tenant/$ns/email/$name\""; do sleep 0.02; done
  t2=$EPOCHREALTIME
  echo "$(secs "$t0" "$t2") $(secs "$t1" "$t2")" >>"$work/latency.new"
done
m1=$(metrics)
for kind in edit new; do
  for col in 1 2; do
    label=$([[ $col == 1 ]] && echo "from before kubectl" || echo "from kubectl's return")
    what=$([[ $kind == edit ]] && echo "changed recipient" || echo "new config")
    v=$(cut -d' ' -f"$col" "$work/latency.$kind")
    log "   $what, $label: p50 $(pct 50 <<<"$v") s, p90 $(pct 90 <<<"$v") s, p99 $(pct 99 <<<"$v") s, max $(pct 100 <<<"$v") s"
  done
done
mean() { awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" 'BEGIN { if (d - b > 0) printf "%.1f ms (%d)", 1000 * (c - a) / (d - b), d - b; else print "-" }'; }
for h in render write reload; do
  sum0=$(series "ike_notify_${h}_duration_seconds_sum" <<<"$m0"); cnt0=$(series "ike_notify_${h}_duration_seconds_count" <<<"$m0")
  sum1=$(series "ike_notify_${h}_duration_seconds_sum" <<<"$m1"); cnt1=$(series "ike_notify_${h}_duration_seconds_count" <<<"$m1")
  log "   controller-measured mean $h with $N configs: $(mean "$sum0" "$cnt0" "$sum1" "$cnt1")"
done
: >"$work/reload"
for ((s = 0; s < 20; s++)); do
  t0=$EPOCHREALTIME
  curl -s --max-time 30 -XPOST "$am/-/reload" >/dev/null
  secs "$t0" "$EPOCHREALTIME" >>"$work/reload"
  echo >>"$work/reload"
done
v=$(grep . "$work/reload")
log "   Alertmanager's reload of the $size-byte configuration (POST /-/reload, 20 times): p50 $(pct 50 <<<"$v") s, max $(pct 100 <<<"$v") s"
fi

######################################################################################### 3. resync
if wanted 3; then
log "3. (load $(load)) resync with nothing changed"
sleep 2
snap() {
  local m
  m=$(metrics)
  echo "$(series 'ike_notify_config_writes_total{output="file"}' <<<"$m") $(series 'ike_notify_reloads_total{result="ok"}' <<<"$m") $(series 'ike_notify_status_writes_total{result="written"}' <<<"$m") $(series ike_notify_renders_total <<<"$m")"
}
read -r w0 r0 s0 n0 <<<"$(snap)"
a0=$(api_writes)
mtime0=$(stat -c %Y.%N "$file" 2>/dev/null || stat -c %Y "$file")
loads0=$(am_loads)
k annotate secret alertmanager-base -n ike-system bench/touched="$RANDOM" --overwrite >/dev/null
until read -r w1 r1 s1 n1 <<<"$(snap)" && ((n1 > n0)); do sleep 0.1; done
sleep 2
read -r w1 r1 s1 n1 <<<"$(snap)"
a1=$(api_writes)
log "   a render with nothing to change ($((n1 - n0)) renders): configuration writes $((w1 - w0)), reloads $((r1 - r0)), status writes $((s1 - s0)), apiserver writes to notification objects and Secrets $((a1 - a0 - 1)) (the annotation itself not counted)"

mapfile -d '' ctl_cmd <"/proc/$ctl_pid/cmdline"
a0=$(api_writes)
kill -TERM "$ctl_pid"
for ((i = 0; i < 200; i++)); do kill -0 "$ctl_pid" 2>/dev/null || break; sleep 0.1; done
t0=$EPOCHREALTIME
("${ctl_cmd[@]}" >>"$dir/ike-controller.log" 2>&1 </dev/null & echo $! >"$work/ctl.pid")
ctl_pid=$(cat "$work/ctl.pid")
sed -i "\$s/.*/$ctl_pid/" "$dir/pids"
log "   restarted the controller (pid $ctl_pid); waiting until it rendered and reconciled all $N configs"
until m=$(metrics) && (($(series ike_notify_renders_total <<<"$m") >= 1)) &&
  (($(series 'ike_notify_status_writes_total{result="unchanged"}' <<<"$m") >= N)); do
  sleep 0.2
  (($(printf '%.0f' "$(secs "$t0" "$EPOCHREALTIME")") > 300)) && { log "   gave up after 300 s"; exit 1; }
done
t_resync=$(secs "$t0" "$EPOCHREALTIME")
sleep 3
m=$(metrics)
a1=$(api_writes)
mtime1=$(stat -c %Y.%N "$file" 2>/dev/null || stat -c %Y "$file")
loads1=$(am_loads)
log "   restart with nothing changed (rendered and reconciled after ${t_resync}s): configuration writes $(series 'ike_notify_config_writes_total{output="file"}' <<<"$m"), reloads $(series 'ike_notify_reloads_total{result="ok"}' <<<"$m"), status writes $(series 'ike_notify_status_writes_total{result="written"}' <<<"$m"), apiserver writes to notification objects and Secrets $((a1 - a0))"
log "   over both: the file's mtime $([[ $mtime0 == "$mtime1" ]] && echo unchanged || echo CHANGED), Alertmanager loaded its configuration $((loads1 - loads0)) times"
fi

######################################################################################### 4. flood
if wanted 4; then
log "4. (load $(load)) tenant B's notify test, quiet and while tenant A floods the relay"
# A server that accepts every connection and never answers, and a webhook that answers 202.
python3 -u -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1024); print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >"$work/hole.port" 2>/dev/null &
helper_pids+=($!)
python3 -u -c '
import http.server, socketserver
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(202); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
srv = S(("127.0.0.1", 0), H); print(srv.server_address[1], flush=True); srv.serve_forever()
' >"$work/hook.port" 2>/dev/null &
helper_pids+=($!)
until [[ -s $work/hole.port && -s $work/hook.port ]]; do sleep 0.1; done
hole=$(head -n1 "$work/hole.port")
hook=$(head -n1 "$work/hook.port")
: >"$yaml"
printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: flood-b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: teams, namespace: flood-b}\nstringData: {url: "http://127.0.0.1:%s/workflows/b/triggers/manual/paths/invoke?sig=b"}\n---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: TeamsConfig\nmetadata: {name: chat, namespace: flood-b}\nspec: {webhookUrlSecretName: teams}\n' "$hook" >>"$yaml"
for ((n = 0; n < 5; n++)); do
  printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: flood-a%d, labels: {ike.dev/tenant: flood-a}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: hole, namespace: flood-a%d}\nstringData: {url: "http://127.0.0.1:%s/workflows/a/triggers/manual/paths/invoke?sig=a"}\n' "$n" "$n" "$hole" >>"$yaml"
  for ((i = 0; i < 20; i++)); do
    printf -- '---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: TeamsConfig\nmetadata: {name: t%02d, namespace: flood-a%d}\nspec: {webhookUrlSecretName: hole}\n' "$i" "$n" >>"$yaml"
  done
done
k apply --server-side -f "$yaml" >/dev/null
configured_flood() {
  k get teamsconfigs -A -o json | jq '[.items[] | select(.metadata.namespace | startswith("flood-"))
    | select(any(.status.conditions[]?; .type == "ReceiverConfigured" and .reason == "Configured"))] | length'
}
until (($(configured_flood) >= 101)); do sleep 0.5; done
notify_test() {
  local t0=$EPOCHREALTIME
  KUBECONFIG=$kc NO_COLOR=1 "$work/bin/ike" notify test chat -n flood-b --timeout 180s >/dev/null 2>>"$work/flood.err" || echo "   (a test failed: $work/flood.err)" >&2
  secs "$t0" "$EPOCHREALTIME"
}
: >"$work/flood.quiet"
for ((s = 0; s < FLOOD_SAMPLES; s++)); do notify_test >>"$work/flood.quiet"; echo >>"$work/flood.quiet"; done
ends=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
for ((n = 0; n < 5; n++)); do
  amtool alert add --alertmanager.url="$am" "FloodA$n" namespace="flood-a$n" --end="$ends" >/dev/null
done
# The flood is on once the black hole holds deliveries (it accepts; it never answers).
until (($(ss -Htn state established "( sport = :$hole )" | wc -l) >= 4)); do sleep 0.2; done
: >"$work/flood.loud"
for ((s = 0; s < FLOOD_SAMPLES; s++)); do notify_test >>"$work/flood.loud"; echo >>"$work/flood.loud"; done
m=$(metrics)
q=$(grep . "$work/flood.quiet"); l=$(grep . "$work/flood.loud")
log "   B's test quiet:        p50 $(pct 50 <<<"$q") s, max $(pct 100 <<<"$q") s ($FLOOD_SAMPLES samples)"
log "   B's test while A floods: p50 $(pct 50 <<<"$l") s, max $(pct 100 <<<"$l") s ($FLOOD_SAMPLES samples; the black hole holds $(ss -Htn state established "( sport = :$hole )" | wc -l) connections)"
log "   ratio of the p50s: $(awk -v a="$(pct 50 <<<"$q")" -v b="$(pct 50 <<<"$l")" 'BEGIN { printf "%.2f", b / a }') (goal <= 2); relay answers during the run: $(grep '^ike_notify_relayed_total' <<<"$m" | sed 's/^ike_notify_relayed_total//' | tr '\n' ' ')"
fi
log "done"
