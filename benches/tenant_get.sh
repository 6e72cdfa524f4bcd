#!/usr/bin/env bash
# `ike get` across a tenant's namespaces, against a fresh local IKE (real control plane +
# ike-controller), release build, side by side in one run with what a user does without it:
#
#   1. A tenant with NS namespaces x PODS pods, a member of it, and OTHER pods of another
#      tenant in the same cluster.
#   2. Same rows: the member's `ike get pods --tenant T` (AGE left out) equals the admin's
#      `kubectl get pods -A` restricted to T's namespaces, and the NS serial
#      `kubectl get pods -n` the member would run.
#   3. hyperfine: `ike get pods --tenant T` (member) vs `kubectl get pods -A` (cluster admin)
#      vs NS serial `kubectl get pods -n NS` (member). Goals: <= 1.0x and <= 0.2x.
#   4. `ike get pods --tenant T -w`: SAMPLES pods created, one at a time, in namespaces taken
#      in turn: time from just before `kubectl create` starts until ike printed the pod's line
#      (an upper bound: it includes kubectl's own start). Goal: p99 <= 1 s.
#
# Run from anywhere:  benches/tenant_get.sh                       (NS=50, PODS=20, OTHER=4000)
#                     NS=5 PODS=4 OTHER=100 SAMPLES=50 RUNS=3 benches/tenant_get.sh  (quick)
# Knobs (env): NS, PODS (per namespace), OTHER (pods of another tenant), SAMPLES (watch, 50),
#   RUNS (hyperfine runs, 10), SKIP_BUILD=1 (use the release binaries as they are), BIN_DIR
#   (take ike and ike-controller from there; implies SKIP_BUILD), KEEP=1 (keep the work dir).
#
# The binaries are copied into the work dir first: target/ is shared, and a concurrent build
# must not swap them under a running benchmark.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

NS=${NS:-50}
PODS=${PODS:-20}
OTHER=${OTHER:-4000}
SAMPLES=${SAMPLES:-50}
RUNS=${RUNS:-10}
OTHER_NS=$(( (OTHER + 99) / 100 ))
((OTHER_NS < 1)) && OTHER_NS=1

source benches/lib.sh

[[ -n ${BIN_DIR:-} ]] || build_release  # BIN_DIR implies SKIP_BUILD
install_missing hyperfine
need_tools kubectl jq openssl hyperfine
bench_work get "${BIN_DIR:-target/release}"
watch_pid=
stop_watch() { [[ -z $watch_pid ]] || kill "$watch_pid" 2>/dev/null; }
stop_local_on_exit --first stop_watch
add_persons "$work" admin member

######################################################################################### start
start_local "NS=$NS x PODS=$PODS, OTHER=$OTHER in $OTHER_NS namespaces"
read_login "$up_out"
as admin "$ike" "${login_args[@]}" >"$work/login-admin.out" 2>&1 ||
  { cat "$work/login-admin.out" >&2; exit 1; }
# The bootstrap admin gets cluster-admin from the controller shortly after enrolling.
for _ in $(seq 100); do
  [[ $(as admin kubectl auth can-i create accounts.ike.dev 2>/dev/null) == yes ]] && break
  sleep 0.1
done
as admin "$ike" account create bench-member -o json >"$work/member.json"
# The account API may not have seen the new Account yet: ask for a fresh token and try again.
for attempt in $(seq 20); do
  login_command=$(jq -r .loginCommand "$work/member.json")
  read -ra member_login <<<"${login_command#ike }"
  if as member "$ike" "${member_login[@]}" >"$work/login-member.out" 2>&1; then break; fi
  if ((attempt == 20)); then cat "$work/login-member.out" >&2; exit 1; fi
  sleep 0.5
  as admin "$ike" account token bench-member -o json >"$work/member.json" 2>/dev/null || true
done
log "logged in: platform admin and bench-member"

######################################################################################### 1. objects
tenant=bench-t
ns_of() { printf '%s-%02d' "$tenant" "$1"; }
{
  printf 'apiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata: {name: %s}\nspec:\n' "$tenant"
  printf '  members:\n  - {account: bench-member-none, role: owner}\n  - {account: bench-member, role: member}\n  namespaces:\n'
  for ((i = 0; i < NS; i++)); do printf '  - %s\n' "$(ns_of $i)"; done
  printf -- '---\napiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata: {name: bench-other}\nspec:\n'
  printf '  members:\n  - {account: bench-member-none, role: owner}\n  namespaces:\n'
  for ((i = 0; i < OTHER_NS; i++)); do printf '  - bench-other-%03d\n' "$i"; done
} >"$work/tenants.yaml"
k apply -f - >/dev/null <<<"apiVersion: ike.dev/v1alpha1
kind: Account
metadata: {name: bench-member-none}
spec: {}"
k apply -f "$work/tenants.yaml" >/dev/null
held() { k get tenant "$1" -o json 2>/dev/null | jq '.status.namespaces // [] | length' || echo 0; }
for _ in $(seq 600); do
  (($(held $tenant) == NS && $(held bench-other) == OTHER_NS)) && break
  sleep 0.5
done
(($(held $tenant) == NS)) || { echo "the tenant holds $(held $tenant) of $NS namespaces" >&2; exit 1; }
# Every namespace has its default ServiceAccount before pods are made in it.
for _ in $(seq 600); do
  (($(k get sa -A --no-headers 2>/dev/null | grep -c '^bench-.* default ') >= NS + OTHER_NS)) && break
  sleep 0.5
done
pod() { printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\nspec:\n  containers:\n  - {name: c, image: registry.invalid/bench:1}\n' "$1" "$2"; }
t0=$EPOCHREALTIME
{
  for ((i = 0; i < NS; i++)); do for ((j = 0; j < PODS; j++)); do pod "p-$j" "$(ns_of $i)"; done; done
  for ((j = 0; j < OTHER; j++)); do pod "o-$j" "$(printf 'bench-other-%03d' $((j % OTHER_NS)))"; done
} >"$work/pods.yaml"
k apply --server-side -f "$work/pods.yaml" >/dev/null
total=$(k get pods -A --no-headers | wc -l)
log "1. $total pods applied in $(secs "$t0" "$EPOCHREALTIME") s (load $(load))"

######################################################################################### 2. same rows
# Rows without AGE (it moves between two calls): NAMESPACE NAME READY STATUS RESTARTS.
strip_age() { awk 'NR > 1 { print $1, $2, $3, $4, $5 }'; }
as member "$ike" get pods --tenant "$tenant" >"$work/ike.out"
k get pods -A | strip_age | awk -v p="^$tenant-" '$1 ~ p' >"$work/kubectl-A.rows"
strip_age <"$work/ike.out" >"$work/ike.rows"
: >"$work/serial.rows"
for ((i = 0; i < NS; i++)); do
  as member kubectl get pods -n "$(ns_of $i)" | awk -v ns="$(ns_of $i)" 'NR > 1 { print ns, $1, $2, $3, $4 }' >>"$work/serial.rows"
done
rows=$(wc -l <"$work/ike.rows")
if cmp -s "$work/ike.rows" "$work/kubectl-A.rows" && cmp -s "$work/ike.rows" "$work/serial.rows" &&
  ((rows == NS * PODS)); then
  log "2. same rows: ike get, kubectl get -A (admin, filtered) and $NS serial kubectl get -n: $rows each"
else
  log "2. ROWS DIFFER (ike $rows, kubectl -A $(wc -l <"$work/kubectl-A.rows"), serial $(wc -l <"$work/serial.rows"), expected $((NS * PODS)))"
  diff "$work/ike.rows" "$work/kubectl-A.rows" | head -n 10 || true
  exit 1
fi

######################################################################################### 3. hyperfine
serial=$work/bin/serial-get
{
  printf '#!/usr/bin/env bash\n'
  for ((i = 0; i < NS; i++)); do printf 'kubectl get pods -n %s >/dev/null\n' "$(ns_of $i)"; done
} >"$serial"
chmod +x "$serial"
log "3. hyperfine ($RUNS runs each, load $(load))"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$work/hyperfine.json" \
  -n "ike get pods --tenant $tenant (member)" "$work/bin/as-member $ike get pods --tenant $tenant" \
  -n "kubectl get pods -A (cluster admin)" "kubectl --kubeconfig $kc get pods -A" \
  -n "$NS x kubectl get pods -n (member)" "$work/bin/as-member $serial" >"$work/hyperfine.out" 2>&1 ||
  { cat "$work/hyperfine.out" >&2; exit 1; }
jq -r '.results[] | "\(.command)\t\(.median)\t\(.stddev)"' "$work/hyperfine.json" >"$work/medians"
awk -F'\t' '{ printf "      %-44s median %7.1f ms  (sd %5.1f)\n", $1, 1000 * $2, 1000 * $3 }' "$work/medians"
read -r m_ike m_all m_serial <<<"$(cut -f2 "$work/medians" | tr '\n' ' ')"
awk -v i="$m_ike" -v a="$m_all" -v s="$m_serial" 'BEGIN {
  printf "      ike / kubectl -A      = %.2fx  (goal <= 1.0x: %s)\n", i / a, (i / a <= 1.0 ? "met" : "NOT met")
  printf "      ike / %s serial -n    = %.2fx  (goal <= 0.2x: %s)\n", "N", i / s, (i / s <= 0.2 ? "met" : "NOT met")
}'

######################################################################################### 4. watch
log "4. ike get pods --tenant $tenant -w: $SAMPLES pods created one at a time (load $(load))"
fifo=$work/watch.fifo
mkfifo "$fifo"
# Through the exec wrapper: $! is ike itself, so that killing it closes the fifo.
"$work/bin/as-member" "$ike" get pods --tenant "$tenant" -w >"$fifo" 2>"$work/watch.err" &
watch_pid=$!
{
  while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done <"$fifo"
} >"$work/watch.lines" &
reader_pid=$!
# Until the first table is out.
for _ in $(seq 300); do
  (($(wc -l <"$work/watch.lines") >= NS * PODS + 1)) && break
  sleep 0.1
done
: >"$work/latencies"
for ((s = 0; s < SAMPLES; s++)); do
  ns=$(ns_of $((s % NS)))
  name=w-$s
  start=$EPOCHREALTIME
  pod "$name" "$ns" | k create -f - >/dev/null
  seen=
  for _ in $(seq 500); do
    seen=$(awk -v ns="$ns" -v n="$name" '$2 == ns && $3 == n { print $1; exit }' "$work/watch.lines")
    [[ -n $seen ]] && break
    sleep 0.01
  done
  [[ -n $seen ]] || { echo "pod $ns/$name never printed" >&2; exit 1; }
  secs "$start" "$seen" >>"$work/latencies"
  echo >>"$work/latencies"
done
kill "$watch_pid" 2>/dev/null || true
wait "$reader_pid" 2>/dev/null || true
watch_pid=
printed=$(awk '$3 ~ /^w-/' "$work/watch.lines" | wc -l)
sort -n "$work/latencies" | awk -v n="$SAMPLES" -v printed="$printed" '
  NF { v[++c] = $1 }
  END {
    p50 = v[int((c + 1) * 0.50)]; p99 = v[(c * 0.99 == int(c * 0.99)) ? c * 0.99 : int(c * 0.99) + 1]
    printf "      %d samples: p50 %.3f s, p99 %.3f s, max %.3f s  (goal p99 <= 1 s: %s)\n", c, p50, p99, v[c], (p99 <= 1 ? "met" : "NOT met")
    printf "      lines printed for the %d pods: %d  (each once: %s)\n", n, printed, (printed == n ? "yes" : "NO")
  }'
log "done (load $(load))"
