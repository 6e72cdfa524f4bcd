#!/usr/bin/env bash
# Tenant controller at scale, against a fresh local IKE (real control plane + ike-controller),
# release build, every figure side by side with what kubectl alone achieves:
#
#   1. A pool of Accounts.
#   2. N tenants x 3 namespaces x 3 members created at once: time until every Tenant is Ready
#      (compared with step 7).
#   3. Resync with nothing changed (controller restarted): the controller's write counter, and
#      independently the resourceVersions of every object it owns, the apiserver's own request
#      counters, and what a user sees meanwhile (Ready, bindings, access, account status).
#   4. Controller RSS with N tenants.
#   5. add-member -> `kubectl auth can-i` says yes, p50/p99.
#   6. `ike tenant list` vs `kubectl get tenants` (hyperfine).
#   7. `kubectl apply --server-side` of the same namespaces and RoleBindings as step 2 (fresh
#      names): the baseline of step 2; also from PAR kubectl processes at once.
#
# Run from anywhere:  benches/tenants.sh         (N=500)
#                     N=50 benches/tenants.sh    (quick)
# Knobs (env): N, POOL (accounts, 300), ADD_SAMPLES (50), RUNS (hyperfine runs, 10),
#   READY_TIMEOUT (s, 900), PAR (parallel kubectl processes of the extra baseline, 4; 0 = skip),
#   SKIP_BUILD=1 (use the release binaries as they are), BIN_DIR (take ike and ike-controller
#   from there instead; implies SKIP_BUILD: benches/tenants_before_after.sh), KEEP=1 (keep the
#   work dir: control-plane data, controller log), UNTIL=4 (stop after the RSS step: memory
#   experiments, such as jemalloc options in _RJEM_MALLOC_CONF, which the controller inherits).
#
# The binaries are copied into the work dir first: target/ is shared, and a concurrent build
# must not swap the controller under a running benchmark.
set -euo pipefail
export LC_ALL=C
# As deployed: no backtrace captured for every error the controller meets.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
cd "$(dirname "$0")/.."

N=${N:-500}
POOL=${POOL:-300}
ADD_SAMPLES=${ADD_SAMPLES:-50}
RUNS=${RUNS:-10}
READY_TIMEOUT=${READY_TIMEOUT:-900}
PAR=${PAR:-4}
((ADD_SAMPLES > N)) && ADD_SAMPLES=$N
((POOL < 6)) && { echo "POOL must be at least 6" >&2; exit 2; }

source benches/lib.sh

[[ -n ${BIN_DIR:-} ]] || build_release  # BIN_DIR implies SKIP_BUILD
install_missing hyperfine
need_tools kubectl jq curl openssl hyperfine
bench_work tenants "${BIN_DIR:-target/release}" home
ctl_pid=
failed=
# The pids file names the current controller (rewritten on restart), so `local down` stops it
# too; should it not have, the restarted one is killed.
kill_controller() { if [[ -n $ctl_pid ]] && kill -0 "$ctl_pid" 2>/dev/null; then kill -KILL "$ctl_pid" 2>/dev/null; fi; }
stop_local_on_exit --last kill_controller

metrics() { curl -s --max-time 5 "$murl" || true; }
# The value of one exact series in a metrics dump on stdin (0 when absent).
series() { awk -v m="$1" '$1 == m { v = $2 } END { print v + 0 }'; }
metric() { metrics | series "$1"; }

# User + system CPU seconds a process has used.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# The apiserver's request counters, one "VERB resource[/sub] count" line each.
api_requests() {
  k get --raw /metrics | awk '
    # Dry runs (the controller asks what an apply would change) write nothing.
    /^apiserver_request_total\{/ && !/dry_run="All"/ {
      verb = res = sub_ = ""
      if (match($0, /verb="[^"]*"/)) verb = substr($0, RSTART + 6, RLENGTH - 7)
      if (match($0, /resource="[^"]*"/)) res = substr($0, RSTART + 10, RLENGTH - 11)
      if (match($0, /subresource="[^"]*"/)) sub_ = substr($0, RSTART + 13, RLENGTH - 14)
      if (sub_ != "") res = res "/" sub_
      n[verb " " res] += $NF
    }
    END { for (key in n) print key, n[key] }' | sort
}
# Per-request-kind growth between two api_requests dumps, largest first.
api_delta() {
  awk 'NR == FNR { a[$1 " " $2] = $3; next } { d = $3 - a[$1 " " $2]; if (d > 0) print $1, $2, d }' \
    "$1" "$2" | sort -k3,3nr
}
# Writes in a delta ($1) to the kinds ike-controller writes, or with $2 = all, to any kind but
# the lease heartbeat, events and access reviews (kube-controller-manager keeps filling new
# namespaces with service accounts, secrets and config maps for minutes, at its own QPS).
api_writes() {
  local kinds='^(namespaces|rolebindings|clusterroles|clusterrolebindings|tenants|tenants/status|accounts|accounts/status)$'
  [[ ${2:-} == all ]] && kinds='.'
  awk -v kinds="$kinds" '$1 ~ /^(POST|PUT|PATCH|APPLY|DELETE|DELETECOLLECTION)$/ && $2 ~ kinds &&
    $2 !~ /^(leases|events|.*accessreviews|tokenreviews)/ { s += $3 } END { print s + 0 }' "$1"
}
# Mean apiserver latency by request kind between two raw /metrics dumps, largest total first:
# "VERB resource count mean-ms total-s" (watches excluded), plus the Tenant webhook's calls.
api_latency() {
  awk '
    function key(   v, r, s) {
      v = r = s = ""
      if (match($0, /verb="[^"]*"/)) v = substr($0, RSTART + 6, RLENGTH - 7)
      if (match($0, /resource="[^"]*"/)) r = substr($0, RSTART + 10, RLENGTH - 11)
      if (match($0, /subresource="[^"]*"/)) s = substr($0, RSTART + 13, RLENGTH - 14)
      return v " " r (s != "" ? "/" s : "")
    }
    { sign = (FILENAME == ARGV[1]) ? -1 : 1 }
    /^apiserver_request_duration_seconds_sum\{/ && !/verb="(WATCH|CONNECT)"/ { sum[key()] += sign * $NF }
    /^apiserver_request_duration_seconds_count\{/ && !/verb="(WATCH|CONNECT)"/ { cnt[key()] += sign * $NF }
    /^apiserver_admission_webhook_admission_duration_seconds_sum\{/ && /tenants\.validation/ { ws += sign * $NF }
    /^apiserver_admission_webhook_admission_duration_seconds_count\{/ && /tenants\.validation/ { wc += sign * $NF }
    END {
      for (x in cnt) if (cnt[x] > 0) printf "%s %d %.1f %.2f\n", x, cnt[x], 1000 * sum[x] / cnt[x], sum[x]
      if (wc > 0) printf "WEBHOOK tenants.validation.ike.dev %d %.1f %.2f\n", wc, 1000 * ws / wc, ws
    }' "$1" "$2" | sort -k5,5nr
}
show_latency() {
  awk '{ printf "      %-8s %-34s %7d x %7.1f ms = %7.2f s\n", $1, $2, $3, $4, $5 }' "$1" | head -n "${2:-10}"
}
show_delta() {
  awk '{ printf "      %-8s %-34s %7d\n", $1, $2, $3 }' "$1" | head -n "${2:-14}"
}

# Waits until writes to ike's kinds (with $2 = all: to any kind) stop for 3 s, up to $1 seconds.
settle_api() {
  local limit=${1:-120} scope=${2:-ike} start=$EPOCHREALTIME quiet=0 a b
  a=$work/settle.a b=$work/settle.b
  api_requests >"$a"
  while ((quiet < 3)); do
    sleep 1
    api_requests >"$b"
    api_delta "$a" "$b" >"$work/settle.d"
    if (($(api_writes "$work/settle.d" "$scope") == 0)); then quiet=$((quiet + 1)); else quiet=0; fi
    mv "$b" "$a"
    if (($(printf '%.0f' "$(secs "$start" "$EPOCHREALTIME")") > limit)); then
      log "   (still writing after ${limit}s; going on)"
      return 0
    fi
  done
}

# name resourceVersion of everything the tenant controller owns or writes, one line each.
snapshot() {
  {
    k get tenants -o jsonpath='{range .items[*]}tenant/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
    k get accounts -o jsonpath='{range .items[*]}account/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
    k get namespaces -l ike.dev/tenant -o jsonpath='{range .items[*]}namespace/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
    k get rolebindings -A -l ike.dev/tenant -o jsonpath='{range .items[*]}rolebinding/{.metadata.namespace}/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
    k get clusterroles -l ike.dev/tenant -o jsonpath='{range .items[*]}clusterrole/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
    k get clusterrolebindings -l app.kubernetes.io/managed-by=ike-controller -o jsonpath='{range .items[*]}clusterrolebinding/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}'
  } | sort
}

jp_ready='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
ready_count() { k get tenants -o jsonpath="$jp_ready" 2>/dev/null | grep -c '^True$' || true; }

acct() { printf 'bench-a%03d' "$(($1 % POOL))"; }
tname() { printf 'bt-%04d' "$1"; }

######################################################################################### start
start_local "N=$N tenants, $POOL accounts"
murl=$(grep -o 'http://[0-9.]*:[0-9]*/metrics' <<<"$up_out" | head -n1)
[[ -n $murl ]] || { echo "no metrics URL in 'local up' output:" >&2; echo "$up_out" >&2; exit 1; }
ctl_pid=$(tail -n1 "$dir/pids")
[[ $(tr '\0' ' ' <"/proc/$ctl_pid/cmdline") == *ike-controller*run* ]] ||
  { echo "the last pid in $dir/pids ($ctl_pid) is not ike-controller" >&2; exit 1; }
declare -A plane_pid
while read -r p; do plane_pid[$(cat "/proc/$p/comm")]=$p; done < <(head -n -1 "$dir/pids")
apiserver_pid=${plane_pid[kube-apiserver]:-}
etcd_pid=${plane_pid[etcd]:-}
log "up: controller pid $ctl_pid, metrics $murl"

# Log in as the bootstrap admin now: a controller restart with the admin not yet enrolled
# issues a fresh bootstrap token (a write the resync step would otherwise count).
h=$work/home
export_home "$h"
read_login "$up_out"
logged_in=
if "$ike" "${login_args[@]}" >"$work/login.out" 2>&1; then
  logged_in=1
  log "logged in as platform-admin (HOME=$h)"
else
  log "ike login failed (the list step will be skipped):"; sed 's/^/      /' "$work/login.out"
fi

######################################################################################### 1. accounts
{
  for ((i = 0; i < POOL; i++)); do
    printf -- '---\napiVersion: ike.dev/v1alpha1\nkind: Account\nmetadata:\n  name: %s\nspec: {}\n' "$(acct $i)"
  done
} >"$work/accounts.yaml"
t0=$EPOCHREALTIME
k apply --server-side -f "$work/accounts.yaml" >/dev/null
log "1. $POOL accounts applied in $(secs "$t0" "$EPOCHREALTIME") s"
settle_api 60

######################################################################################### 2. create
{
  for ((i = 0; i < N; i++)); do
    t=$(tname $i)
    printf -- '---\napiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: %s\nspec:\n  members:\n' "$t"
    printf -- '  - {account: %s, role: owner}\n  - {account: %s, role: member}\n  - {account: %s, role: viewer}\n' \
      "$(acct $((3 * i)))" "$(acct $((3 * i + 1)))" "$(acct $((3 * i + 2)))"
    printf -- '  namespaces: [%s-a, %s-b, %s-c]\n' "$t" "$t" "$t"
  done
} >"$work/tenants.yaml"
# What the controller writes for tenant $2 (under tenant name $1), written directly: its three
# namespaces, with the same labels, and the three RoleBindings in each, naming the same users.
gen_ns() {
  local s
  for s in a b c; do
    printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-%s\n  labels:\n' "$1" "$s"
    printf -- '    ike.dev/tenant: %s\n    app.kubernetes.io/managed-by: ike-controller\n' "$1"
    printf -- '    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/audit: restricted\n'
  done
}
gen_rb() {
  local s r role crole a
  for s in a b c; do
    for r in owner:admin:$((3 * $2)) member:edit:$((3 * $2 + 1)) viewer:view:$((3 * $2 + 2)); do
      IFS=: read -r role crole a <<<"$r"
      printf -- '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ike:tenant:%s\n  namespace: %s-%s\n' "$role" "$1" "$s"
      printf -- '  labels:\n    ike.dev/tenant: %s\n    app.kubernetes.io/managed-by: ike-controller\n' "$1"
      printf -- 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}\n' "$crole"
      printf -- 'subjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: User, name: %s}\n' "$(acct "$a")"
    done
  done
}
# Fresh names so nothing collides: kt-* for the one kubectl, pt-* for the parallel ones.
{
  for ((i = 0; i < N; i++)); do gen_ns "$(printf 'kt-%04d' "$i")" "$i"; done
  for ((i = 0; i < N; i++)); do gen_rb "$(printf 'kt-%04d' "$i")" "$i"; done
} >"$work/direct.yaml"
for ((j = 0; j < PAR; j++)); do : >"$work/par.ns.$j"; : >"$work/par.rb.$j"; done
for ((i = 0; i < N && PAR > 0; i++)); do
  gen_ns "$(printf 'pt-%04d' "$i")" "$i" >>"$work/par.ns.$((i % PAR))"
  gen_rb "$(printf 'pt-%04d' "$i")" "$i" >>"$work/par.rb.$((i % PAR))"
done

log "2. (load $(load)) applying $N Tenants ($((3 * N)) namespaces, $((9 * N)) role bindings to come)"
api_requests >"$work/api.create.0"
k get --raw /metrics >"$work/raw.create.0"
c0=$(cpu "$ctl_pid"); a0=$(cpu "$apiserver_pid"); e0=$(cpu "$etcd_pid")
t0=$EPOCHREALTIME
k apply --server-side -f "$work/tenants.yaml" >/dev/null
t_tenant_apply=$(secs "$t0" "$EPOCHREALTIME")
log "   Tenants applied in $t_tenant_apply s; waiting until all are Ready (poll 0.5 s)"
deadline=$(($(now_us) + READY_TIMEOUT * 1000000))
next_progress=$(($(now_us) + 5000000))
t_ready=
while :; do
  ready=$(ready_count)
  now=$EPOCHREALTIME
  if ((ready >= N)); then t_ready=$(secs "$t0" "$now"); break; fi
  if (($(now_us) > deadline)); then break; fi
  if (($(now_us) > next_progress)); then
    log "   $ready/$N Ready after $(secs "$t0" "$now") s (controller CPU $(cpu "$ctl_pid") s)"
    next_progress=$(($(now_us) + 5000000))
  fi
  sleep 0.5
done
c1=$(cpu "$ctl_pid"); a1=$(cpu "$apiserver_pid"); e1=$(cpu "$etcd_pid")
api_requests >"$work/api.create.1"
k get --raw /metrics >"$work/raw.create.1"
if [[ -n $t_ready ]]; then
  log "   all $N Tenants Ready after $t_ready s"
else
  failed+=" create"
  log "   NOT all Ready after ${READY_TIMEOUT}s: $(ready_count)/$N. Ready reasons:"
  k get tenants -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}' |
    sort | uniq -c | sed 's/^/      /'
  log "   last controller warnings:"
  grep -i 'warn\|error' "$dir/ike-controller.log" | tail -n 10 | sed 's/^/      /' || true
fi
m=$(metrics)
log "   CPU during create: controller $(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}') s, kube-apiserver $(awk -v a="$a0" -v b="$a1" 'BEGIN{print b-a}') s, etcd $(awk -v a="$e0" -v b="$e1" 'BEGIN{print b-a}') s"
log "   controller metrics: tenant reconciles ok $(series 'ike_reconciles_total{controller="tenant",result="ok"}' <<<"$m"), error $(series 'ike_reconciles_total{controller="tenant",result="error"}' <<<"$m"), writes $(series 'ike_reconcile_writes_total{controller="tenant"}' <<<"$m"); account reconciles ok $(series 'ike_reconciles_total{controller="account",result="ok"}' <<<"$m"), error $(series 'ike_reconciles_total{controller="account",result="error"}' <<<"$m"), writes $(series 'ike_reconcile_writes_total{controller="account"}' <<<"$m")"
tsum=$(series 'ike_reconcile_duration_seconds_sum{controller="tenant"}' <<<"$m")
tcnt=$(series 'ike_reconcile_duration_seconds_count{controller="tenant"}' <<<"$m")
log "   tenant reconcile time: $tsum s over $tcnt reconciles ($(awk -v s="$tsum" -v c="$tcnt" 'BEGIN { printf "%.0f", c ? 1000 * s / c : 0 }') ms mean)"
log "   apiserver requests during create (all clients; top 14):"
api_delta "$work/api.create.0" "$work/api.create.1" >"$work/api.create.d"
show_delta "$work/api.create.d"
log "   apiserver time by request kind during create (mean latency; top 10 by total):"
api_latency "$work/raw.create.0" "$work/raw.create.1" >"$work/lat.create"
show_latency "$work/lat.create"


######################################################################################### 3. resync
log "3. (load $(load)) resync with nothing changed: waiting until the controller stops writing"
settle_api 180
snapshot >"$work/rv.before"
jp_acct='{range .items[*]}{.metadata.name} {.status.tenants[*].tenant}{"\n"}{end}'
# Accounts whose status lists tenants (what `ike` shows a non-admin as "my tenants").
acct_with_tenants() { k get accounts -o jsonpath="$jp_acct" 2>/dev/null | awk 'NF > 1' | wc -l; }
acct_expected=$(acct_with_tenants)
m=$(metrics)
old_tw=$(series 'ike_reconcile_writes_total{controller="tenant"}' <<<"$m")
old_aw=$(series 'ike_reconcile_writes_total{controller="account"}' <<<"$m")
log "   old process: writes tenant=$old_tw account=$old_aw; $(wc -l <"$work/rv.before") objects snapshotted"
mapfile -d '' ctl_cmd <"/proc/$ctl_pid/cmdline"
# What a user sees while the new process resyncs: tenants not Ready, tenant RoleBindings naming
# nobody, whether a member (bench-a001, member of bt-0000) keeps access, and how many accounts
# still list their tenants.
probe() {
  local nr empty ci
  while [[ ! -e $work/probe.stop ]]; do
    k get tenants -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}' \
      2>/dev/null | awk '$1 != "True"' >"$work/probe.nr" || true
    nr=$(wc -l <"$work/probe.nr")
    awk '{ print $2 }' "$work/probe.nr" >>"$work/probe.reasons"
    empty=$(k get rolebindings -A -l ike.dev/tenant -o jsonpath='{range .items[*]}{.metadata.namespace} {.subjects[*].name}{"\n"}{end}' 2>/dev/null |
      awk '$1 ~ /^bt-/ && NF == 1' | wc -l)
    if k auth can-i create configmaps -n bt-0000-a --as "$(acct 1)" >/dev/null 2>&1; then ci=yes; else ci=no; fi
    echo "$EPOCHREALTIME $nr $empty $ci $(acct_with_tenants)" >>"$work/probe.txt"
  done
}
rm -f "$work/probe.stop"; : >"$work/probe.txt"; : >"$work/probe.reasons"
probe &
probe_pid=$!
api_requests >"$work/api.resync.0"
kill -TERM "$ctl_pid"
for ((i = 0; i < 200; i++)); do kill -0 "$ctl_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$ctl_pid" 2>/dev/null && { log "   controller ignored SIGTERM for 20 s: SIGKILL"; kill -KILL "$ctl_pid"; }
t0=$EPOCHREALTIME
# Started from a subshell so that it is not this script's child: `local down` must be able to
# see it gone (a child would linger as a zombie until the script exits).
("${ctl_cmd[@]}" >>"$dir/ike-controller.log" 2>&1 </dev/null & echo $! >"$work/ctl.pid")
new_pid=$(cat "$work/ctl.pid")
# `local down` stops what the pids file names: the new controller, not the old one.
sed -i "\$s/.*/$new_pid/" "$dir/pids"
ctl_pid=$new_pid
c0=$(cpu "$ctl_pid")
log "   restarted: pid $ctl_pid; waiting until tenant reconciles >= $N and the counters rest 3 s"
t_resync=
last= quiet=0
while :; do
  m=$(metrics)
  tok=$(series 'ike_reconciles_total{controller="tenant",result="ok"}' <<<"$m")
  cur="$tok $(series 'ike_reconciles_total{controller="account",result="ok"}' <<<"$m")"
  if ((tok >= N)); then
    [[ -z $t_resync ]] && t_resync=$(secs "$t0" "$EPOCHREALTIME")
    if [[ $cur == "$last" ]]; then quiet=$((quiet + 1)); else quiet=0; fi
    ((quiet >= 6)) && break
  fi
  last=$cur
  kill -0 "$ctl_pid" 2>/dev/null || { log "   the new controller died; log tail:"; tail -n 5 "$dir/ike-controller.log"; exit 1; }
  (($(printf '%.0f' "$(secs "$t0" "$EPOCHREALTIME")") > 300)) && { log "   not settled after 300 s"; failed+=" resync"; break; }
  sleep 0.5
done
settle_api 60
touch "$work/probe.stop"; wait "$probe_pid" || true
api_requests >"$work/api.resync.1"
probe_n=$(wc -l <"$work/probe.txt")
probe_notready=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$work/probe.txt")
probe_empty=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$work/probe.txt")
probe_denied=$(awk '$4 == "no" { n++ } END { print n + 0 }' "$work/probe.txt")
probe_acct=$(awk -v e="$acct_expected" 'e - $5 > m { m = e - $5 } END { print m + 0 }' "$work/probe.txt")
c1=$(cpu "$ctl_pid")
m=$(metrics)
new_tw=$(series 'ike_reconcile_writes_total{controller="tenant"}' <<<"$m")
new_aw=$(series 'ike_reconcile_writes_total{controller="account"}' <<<"$m")
new_tok=$(series 'ike_reconciles_total{controller="tenant",result="ok"}' <<<"$m")
new_aok=$(series 'ike_reconciles_total{controller="account",result="ok"}' <<<"$m")
new_terr=$(series 'ike_reconciles_total{controller="tenant",result="error"}' <<<"$m")
snapshot >"$work/rv.after"
changed=$(comm -13 "$work/rv.before" "$work/rv.after" | wc -l)
api_delta "$work/api.resync.0" "$work/api.resync.1" >"$work/api.resync.d"
api_w=$(api_writes "$work/api.resync.d")
log "   tenant reconciles ok reached $N after ${t_resync:-?} s; settled: tenant ok=$new_tok error=$new_terr, account ok=$new_aok; controller CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}') s"
log "   new process writes: tenant=$new_tw account=$new_aw"
log "   seen by $probe_n probes during the resync: at most $probe_notready tenants not Ready (reasons seen: $(sort "$work/probe.reasons" | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')), at most $probe_empty tenant RoleBindings naming nobody; $(acct 1) denied in $probe_denied probes; at most $probe_acct of $acct_expected accounts without their tenants in status"
log "   resourceVersions changed: $changed of $(wc -l <"$work/rv.before")$( ((changed > 0)) && { printf ' ('; comm -13 "$work/rv.before" "$work/rv.after" | cut -d/ -f1 | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'; printf ')'; })"
# Single-object reads of what ike keeps (a GET each), and LISTs, during the resync.
api_gets=$(awk '$1 == "GET" && $2 ~ /^(namespaces|rolebindings|clusterroles|clusterrolebindings|networkpolicies|tenants|accounts)$/ { s += $3 } END { print s + 0 }' "$work/api.resync.d")
api_lists=$(awk '$1 == "LIST" { s += $3 } END { print s + 0 }' "$work/api.resync.d")
# The same, as the new controller counted its own requests since it started (the API server's
# counters above include kube-controller-manager's garbage collector, which GETs Tenants while it
# catches up with the objects they own).
ike_gets=$(awk 'match($0, /^ike_api_requests_total\{verb="GET",resource="[a-z]+"\}/) {
  r = $0; sub(/^[^,]*,resource="/, "", r); sub(/".*/, "", r)
  if (r ~ /^(namespaces|rolebindings|clusterroles|clusterrolebindings|networkpolicies|tenants|accounts)$/) { s += $2; d = d (d ? ", " : "") $2 " " r }
} END { print s + 0 "|" d }' <<<"$m")
ike_gets_by=${ike_gets#*|} ike_gets=${ike_gets%%|*}
# A controller older than the counter has none to read.
grep -q '^ike_api_requests_total{' <<<"$m" || ike_gets=-
log "   ike-controller's own single-object GETs of those kinds since its start: $ike_gets${ike_gets_by:+ ($ike_gets_by)}"
log "   apiserver writes to the kinds ike writes during resync: $api_w; single-object GETs of them (all clients): $api_gets ($(awk '$1 == "GET" && $2 ~ /^(namespaces|rolebindings|clusterroles|clusterrolebindings|networkpolicies|tenants|accounts)$/ { printf "%s%s %s", (n++ ? ", " : ""), $3, $2 }' "$work/api.resync.d")); LISTs: $api_lists; requests by kind:"
show_delta "$work/api.resync.d"
# Watches the controller holds: its own gauge (one per kind) and the API server's count of
# watchers of the kinds only ike watches.
raw=$(k get --raw /metrics)
watchers() { awk -v k="$1" 'index($1, "apiserver_registered_watchers{") == 1 && index($1, "kind=\"" k "\"") && index($1, "group=\"ike.dev\"") { s += $2 } END { print s + 0 }' <<<"$raw"; }
w_tenant=$(watchers Tenant) w_site=$(watchers Site) w_account=$(watchers Account)
m=$(metrics)
ike_watch_kinds=$(grep -c '^ike_watches{' <<<"$m" || true)
ike_watch_max=$(awk '/^ike_watches\{/ { if ($2 > x) x = $2 } END { print x + 0 }' <<<"$m")
log "   watches: API server watchers of Tenants $w_tenant, Sites $w_site, Accounts $w_account; ike_watches: $ike_watch_kinds kinds, at most $ike_watch_max each"

######################################################################################### 4. RSS
rss=$(awk '{ printf "%.1f", $1 / 1024 }' <<<"$(ps -o rss= -p "$ctl_pid")")
hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$ctl_pid/status")
# What the RSS is made of: the heap and stacks (anonymous), and the executable's own pages,
# which this kernel maps a large folio at a time (shared, clean, given back under pressure).
rss_anon=$(awk '/^RssAnon/ { printf "%.1f", $2 / 1024 }' "/proc/$ctl_pid/status")
rss_file=$(awk '/^RssFile/ { printf "%.1f", $2 / 1024 }' "/proc/$ctl_pid/status")
log "4. controller RSS with $N tenants: $rss MiB (anonymous $rss_anon MiB, the executable's pages $rss_file MiB; peak since the restart: $hwm MiB)"
if [[ ${UNTIL:-} == 4 ]]; then
  log "stopping after step 4 (UNTIL=4)"
  exit 0
fi

######################################################################################### 5. add-member
log "5. (load $(load)) add-member -> 'kubectl auth can-i create configmaps --as' yes, $ADD_SAMPLES times (poll 20 ms)"
: >"$work/add.txt"
add_fail=0
for ((i = 0; i < ADD_SAMPLES; i++)); do
  t=$(tname $i)
  a=$(acct $((3 * i + POOL / 2)))
  # Must not be a member yet: the tenant's members are 3i, 3i+1, 3i+2 (mod POOL).
  k auth can-i create configmaps -n "$t-a" --as "$a" >/dev/null 2>&1 && { log "   $a already has access to $t-a: skipped"; continue; }
  t0=$EPOCHREALTIME
  k patch tenant "$t" --type=json \
    -p "[{\"op\":\"add\",\"path\":\"/spec/members/-\",\"value\":{\"account\":\"$a\",\"role\":\"member\"}}]" >/dev/null
  polls=0
  until k auth can-i create configmaps -n "$t-a" --as "$a" >/dev/null 2>&1; do
    polls=$((polls + 1))
    if ((polls > 1000)); then add_fail=$((add_fail + 1)); break; fi
    sleep 0.02
  done
  echo "$(secs "$t0" "$EPOCHREALTIME") $polls" >>"$work/add.txt"
done
pct() { sort -n "$work/add.txt" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(p * NR + 0.999999); if (i < 1) i = 1; printf "%.3f", v[i] }'; }
add_p50=$(pct 0.50) add_p90=$(pct 0.90) add_p99=$(pct 0.99) add_max=$(pct 1)
# One can-i round trip: the resolution of the figures above.
t0=$EPOCHREALTIME
for _ in 1 2 3 4 5; do k auth can-i create configmaps -n bt-0000-a --as "$(acct 0)" >/dev/null 2>&1 || true; done
canI=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", (b - a) / 5 }')
log "   p50 $add_p50 s, p90 $add_p90 s, p99 $add_p99 s, max $add_max s (one can-i call: $canI s; polls per sample avg $(awk '{ s += $2 } END { printf "%.1f", s / NR }' "$work/add.txt"); timeouts: $add_fail)"

######################################################################################### 6. list
log "6. (load $(load)) 'ike tenant list' vs 'kubectl get tenants' with $N tenants"
list_ok=
if [[ -z $logged_in ]]; then
  log "   skipped: ike login failed"
elif ! "$ike" tenant list >"$work/list.out" 2>"$work/list.err"; then
  log "   'ike tenant list' failed (not implemented yet?):"; sed 's/^/      /' "$work/list.err" | head -n 5
else
  rows=$(grep -c '^bt-' "$work/list.out" || true)
  log "   ike tenant list shows $rows of $N tenants"
  list_ok=1
fi
if [[ -n $list_ok ]]; then
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/list.json" \
    -n "ike tenant list" "$ike tenant list" \
    -n "kubectl get tenants" "kubectl --kubeconfig $kc get tenants" \
    -n "kubectl get --raw (the full LIST, which ike read before)" "kubectl --kubeconfig $kc get --raw /apis/ike.dev/v1alpha1/tenants" \
    2>&1 | sed 's/^/      /'
  list_ike=$(jq -r '.results[0].mean' "$work/list.json")
  list_kubectl=$(jq -r '.results[1].mean' "$work/list.json")
  ratio_list=$(awk -v a="$list_ike" -v b="$list_kubectl" 'BEGIN { printf "%.2f", a / b }')
fi

######################################################################################### 7. kubectl
# Last, so that their labelled objects (same labels as the controller's) do not grow what the
# controller watches before its resync and RSS are measured.
log "7. waiting for the cluster to settle before the kubectl batch (kube-controller-manager fills new namespaces at its own pace)"
settle_api 180 all
log "7. (load $(load)) kubectl apply --server-side of $((3 * N)) namespaces + $((9 * N)) role bindings (fresh names)"
t0=$EPOCHREALTIME
# -v=3 only adds client-go's "Waited for ... due to client-side throttling" lines (>50 ms waits).
k apply --server-side -v=3 -f "$work/direct.yaml" >/dev/null 2>"$work/direct.err"
t_direct=$(secs "$t0" "$EPOCHREALTIME")
throttled=$(grep -c 'client-side throttling' "$work/direct.err" || true)
throttle_s=$(grep -o 'Waited for [0-9.]*m\?s' "$work/direct.err" |
  awk '{ v = $3; if (v ~ /ms$/) { sub(/ms$/, "", v); v /= 1000 } else sub(/s$/, "", v); s += v } END { printf "%.1f", s }' || true)
log "   kubectl returned after $t_direct s ($((12 * N)) objects, $(awk -v n=$((12 * N)) -v t="$t_direct" 'BEGIN { printf "%.1f", 1000 * t / n }') ms each; $throttled client-side throttling waits, ${throttle_s} s in all)"
t_par=
if ((PAR > 0)); then
  log "   waiting for the cluster to settle"
  settle_api 180 all
  log "7b. (load $(load)) the same objects (fresh names) from $PAR kubectl processes in parallel: namespaces, then bindings"
  t0=$EPOCHREALTIME
  for stage in ns rb; do
    pids=()
    for ((j = 0; j < PAR; j++)); do
      [[ -s $work/par.$stage.$j ]] || continue
      k apply --server-side -f "$work/par.$stage.$j" >/dev/null &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
  done
  t_par=$(secs "$t0" "$EPOCHREALTIME")
  log "   $PAR kubectl processes returned after $t_par s"
fi
ratio_create=$([[ -n $t_ready ]] && awk -v a="$t_ready" -v b="$t_direct" 'BEGIN { printf "%.2f", a / b }' || echo "-")

######################################################################################### summary
yes_no() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
fmt() { awk -v v="$1" 'BEGIN { printf "%.3f s", v }'; }
echo
echo "== summary: N=$N tenants x 3 namespaces x 3 members, $POOL accounts, $(nproc) cores, load now $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s | %-12s | %-12s | %-6s | %-10s | %s\n' metric ike kubectl ratio goal met?
printf -- '%.0s-' {1..104}; echo
row() { printf '%-44s | %-12s | %-12s | %-6s | %-10s | %s\n' "$@"; }
if [[ -n $t_ready ]]; then
  row "create -> all Ready (kubectl: apply returns)" "$(fmt "$t_ready")" "$(fmt "$t_direct")" "${ratio_create}x" "<= 1.5x" "$(yes_no "$ratio_create <= 1.5")"
else
  row "create -> all Ready (kubectl: apply returns)" ">${READY_TIMEOUT} s" "$(fmt "$t_direct")" "-" "<= 1.5x" "NO (not Ready)"
fi
row "  of which: kubectl apply of the Tenants" "$(fmt "$t_tenant_apply")" "" "" "" ""
if [[ -n $t_par ]]; then
  row "  kubectl x$PAR in parallel (not a goal)" "" "$(fmt "$t_par")" "$([[ -n $t_ready ]] && awk -v a="$t_ready" -v b="$t_par" 'BEGIN { printf "%.2fx", a / b }')" "" ""
fi
row "resync: ike_reconcile_writes_total tenant" "$new_tw" "" "" "0" "$(yes_no "$new_tw == 0")"
row "resync: ike_reconcile_writes_total account" "$new_aw" "" "" "0" "$(yes_no "$new_aw == 0")"
row "resync: resourceVersions changed" "$changed" "" "" "0" "$(yes_no "$changed == 0")"
row "resync: apiserver writes to ike's kinds" "$api_w" "" "" "0" "$(yes_no "$api_w == 0")"
row "resync: max tenants not Ready (probes)" "$probe_notready" "" "" "0" "$(yes_no "$probe_notready == 0")"
row "resync: max RoleBindings naming nobody" "$probe_empty" "" "" "0" "$(yes_no "$probe_empty == 0")"
row "resync: member access denied (of $probe_n probes)" "$probe_denied" "" "" "0" "$(yes_no "$probe_denied == 0")"
row "resync: max accounts missing their tenants" "$probe_acct" "" "" "0" "$(yes_no "$probe_acct == 0")"
# The controller's own platform objects are read once at start (CRDs, its namespace, platform
# roles): a handful, whatever N; what matters is none per tenant.
if [[ $ike_gets == - ]]; then
  row "resync: ike's single-object GETs (own count)" "(no counter)" "" "" "< N/10" "-"
else
  row "resync: ike's single-object GETs (own count)" "$ike_gets" "" "" "< N/10" "$(yes_no "$ike_gets < $N / 10")"
fi
row "  GETs of those kinds, all clients (apiserver)" "$api_gets" "" "" "" ""
# kube-controller-manager's garbage collector holds one watch of every kind too.
row "watchers of Tenants at the API server" "$w_tenant" "" "" "2 (ike+kcm)" "$(yes_no "$w_tenant <= 2")"
row "watchers of Sites at the API server" "$w_site" "" "" "2 (ike+kcm)" "$(yes_no "$w_site <= 2")"
row "controller RSS after resync" "$rss MiB" "" "" "<= 40 MiB" "$(yes_no "$rss <= 40")"
row "  of it anonymous / the executable" "$rss_anon / $rss_file MiB" "" "" "" ""
row "add-member -> can-i yes, p50" "$(fmt "$add_p50")" "" "" "" ""
row "add-member -> can-i yes, p99 ($(wc -l <"$work/add.txt") samples)" "$(fmt "$add_p99")" "" "" "< 2 s" "$(yes_no "$add_p99 < 2 && $add_fail == 0")"
if [[ -n $list_ok ]]; then
  row "tenant list wall time (mean, $RUNS runs)" "$(fmt "$list_ike")" "$(fmt "$list_kubectl")" "${ratio_list}x" "<= 0.25x" "$(yes_no "$ratio_list <= 0.25")"
else
  row "tenant list wall time" "n/a" "" "" "<= 0.25x" "not measured"
fi
log "done"
[[ -z $failed ]] || { echo "failed:$failed" >&2; exit 1; }
