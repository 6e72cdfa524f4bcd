#!/usr/bin/env bash
# Tenant-wide objects (TenantObject) at scale, against a fresh local IKE (real control plane +
# ike-controller), release build:
#
#   1. One tenant holding NS namespaces (and an owner Account).
#   2. A tenant-wide RoleBinding declared by the owner (kubectl --as the owner), SAMPLES times:
#      time from the create until every one of the NS copies exists, as kubectl (the
#      independent client) lists them; p50/p99. Each declaration is deleted (and its copies
#      seen gone) before the next.
#   3. One declaration kept; a namespace added to the tenant, SAMPLES times: time from the
#      tenant's status recording the namespace (the moment it holds it) until its copy exists,
#      and from the spec change; p50/p99. Goal: within 2 s.
#
# Resolution: each probe is one kubectl call (~0.1 s on an idle machine); figures are upper
# bounds by that much.
#
# Run from anywhere:  benches/tenant_objects.sh                  (NS=50, SAMPLES=20)
#                     NS=5 SAMPLES=3 benches/tenant_objects.sh   (quick check)
# Knobs (env): NS, SAMPLES, TIMEOUT (s per sample, 120), SKIP_BUILD=1 (use the release binaries
#   as they are), BIN_DIR (take ike and ike-controller from there; implies SKIP_BUILD), KEEP=1
#   (keep the work dir: control-plane data, controller log).
#
# The binaries are copied into the work dir first: target/ is shared, and a concurrent build
# must not swap the controller under a running benchmark.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

NS=${NS:-50}
SAMPLES=${SAMPLES:-20}
TIMEOUT=${TIMEOUT:-120}

source benches/lib.sh

# "n=.. p50=.. p99=.. max=.." of the numbers in file $1 (nearest-rank percentiles).
stats() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n=0"; exit }
    p50 = v[int(0.50 * NR + 0.999999)]; p99 = v[int(0.99 * NR + 0.999999)]
    printf "n=%d p50=%.3f s p99=%.3f s max=%.3f s\n", NR, p50, p99, v[NR] }'
}

[[ -n ${BIN_DIR:-} ]] || build_release  # BIN_DIR implies SKIP_BUILD
need_tools kubectl jq
bench_work tobj "${BIN_DIR:-target/release}"
failed=
stop_local_on_exit

owner=bench-owner
tenant=bench-tobj
nsname() { printf 'bto-%03d' "$1"; }
# How many copies of declaration $1 kubectl sees.
copies() {
  k get rolebindings -A -l "ike.dev/tenant-object=$1" -o name 2>/dev/null | wc -l
}
# Waits (up to TIMEOUT) until `copies $1` is $2; fails the sample otherwise.
wait_copies() {
  local deadline=$(($(now_us) + TIMEOUT * 1000000))
  while (($(copies "$1") != $2)); do
    (($(now_us) < deadline)) || return 1
  done
}
held() { k get tenant "$tenant" -o jsonpath='{.status.namespaces}'; }
declaration() {
  cat <<EOF
apiVersion: ike.dev/v1alpha1
kind: TenantObject
metadata: {name: $1, namespace: $(nsname 0)}
spec:
  template:
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: $1}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    subjects: [{kind: ServiceAccount, name: ci, namespace: $(nsname 0)}]
EOF
}

######################################################################################### start
start_local "NS=$NS namespaces, SAMPLES=$SAMPLES"
printf '%s\n' "$up_out" >"$work/up.out"
log "up"

######################################################################################### 1. tenant
{
  printf 'apiVersion: ike.dev/v1alpha1\nkind: Account\nmetadata: {name: %s}\nspec: {}\n---\n' "$owner"
  printf 'apiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata: {name: %s}\nspec:\n' "$tenant"
  printf '  members: [{account: %s, role: owner}]\n  namespaces:\n' "$owner"
  for ((i = 0; i < NS; i++)); do printf '  - %s\n' "$(nsname "$i")"; done
} >"$work/tenant.yaml"
t0=$EPOCHREALTIME
k apply --server-side -f "$work/tenant.yaml" >/dev/null
deadline=$(($(now_us) + 300 * 1000000))
until [[ $(held | jq length 2>/dev/null || echo 0) -ge $NS ]]; do
  (($(now_us) < deadline)) || { log "the tenant never held $NS namespaces"; exit 1; }
  sleep 0.5
done
log "1. tenant $tenant holds $NS namespaces after $(secs "$t0" "$EPOCHREALTIME") s"
k create serviceaccount ci -n "$(nsname 0)" >/dev/null
# The owner's access is bound by the time the status records the namespaces; declarations are
# made as the owner (kubectl --as, the admin kubeconfig may impersonate).
as_owner=(--as "$owner")

######################################################################################### 2. fan-out
log "2. (load $(load)) a tenant-wide RoleBinding to all $NS namespaces, $SAMPLES samples"
: >"$work/fanout"
for ((s = 0; s < SAMPLES; s++)); do
  name=fanout-$s
  declaration "$name" >"$work/decl.yaml"
  t0=$EPOCHREALTIME
  k "${as_owner[@]}" create -f "$work/decl.yaml" >/dev/null
  if wait_copies "$name" "$NS"; then
    echo "$(secs "$t0" "$EPOCHREALTIME")" >>"$work/fanout"
  else
    failed+=" fanout-$s"
    log "   sample $s: only $(copies "$name")/$NS copies after ${TIMEOUT}s"
  fi
  k delete tenantobject "$name" -n "$(nsname 0)" --wait=true >/dev/null
  wait_copies "$name" 0 || { failed+=" removal-$s"; log "   sample $s: copies left after deletion"; }
done
log "   until every copy exists: $(stats "$work/fanout") (load $(load))"

######################################################################################### 3. new namespace
log "3. (load $(load)) a namespace added to the tenant gets its copy, $SAMPLES samples"
declaration kept | k "${as_owner[@]}" create -f - >/dev/null
wait_copies kept "$NS" || { log "the kept declaration never reached $NS namespaces"; exit 1; }
: >"$work/newns.held"
: >"$work/newns.spec"
for ((s = 0; s < SAMPLES; s++)); do
  ns=$(nsname $((NS + s)))
  t0=$EPOCHREALTIME
  k patch tenant "$tenant" --type=json -p "[{\"op\": \"add\", \"path\": \"/spec/namespaces/-\", \"value\": \"$ns\"}]" >/dev/null
  deadline=$(($(now_us) + TIMEOUT * 1000000))
  until held | jq -e --arg ns "$ns" 'index($ns) != null' >/dev/null 2>&1; do
    (($(now_us) < deadline)) || break
  done
  t_held=$EPOCHREALTIME
  while ! k get rolebinding kept -n "$ns" -o name >/dev/null 2>&1; do
    (($(now_us) < deadline)) || break
  done
  if k get rolebinding kept -n "$ns" -o name >/dev/null 2>&1; then
    now=$EPOCHREALTIME
    echo "$(secs "$t_held" "$now")" >>"$work/newns.held"
    echo "$(secs "$t0" "$now")" >>"$work/newns.spec"
  else
    failed+=" newns-$s"
    log "   sample $s: no copy in $ns after ${TIMEOUT}s"
  fi
done
log "   from the tenant holding it to its copy: $(stats "$work/newns.held") (goal: p99 < 2 s)"
log "   from the spec change (namespace made, bound) to its copy: $(stats "$work/newns.spec")"
if [[ -s $work/newns.held ]] && (($(sort -n "$work/newns.held" | awk '{ v[NR] = $1 } END { print (v[int(0.99 * NR + 0.999999)] < 2.0) ? 0 : 1 }'))); then
  failed+=" newns-goal"
fi

log "controller log: $(grep -ci 'reconcile failed' "$dir/ike-controller.log" || true) failed reconciles"
if [[ -n $failed ]]; then
  log "FAILED:$failed"
  exit 1
fi
log "done"
