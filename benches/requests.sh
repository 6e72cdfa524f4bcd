#!/usr/bin/env bash
# ResourceRequests at scale, against a fresh local IKE (real control plane + ike-controller),
# release build:
#
#   1. N requests for CRDs (each with a small schema) in one tenant's namespaces, made by the
#      cluster admin with one `kubectl apply` (every one reviewed by the webhook, dry run
#      included): time until the controller has checked them all.
#   2. `ike request list -A` vs `kubectl get resourcerequests -A` for the platform admin (same
#      kubeconfig context, same credential plugin), hyperfine, one run side by side. Both ask
#      for the server's table of the CRD's columns; ike reads it from the API server's watch
#      cache (resourceVersion=0), kubectl from etcd.
#   3. approve -> CRD Established, SAMPLES times: the approval written (kubectl patch as the
#      platform admin) until the API server says Established (polled with curl every 20 ms).
#
# Run from anywhere:  benches/requests.sh        (N=1000)
#                     N=100 benches/requests.sh  (quick)
# Knobs (env): N, SAMPLES (approvals, 50), RUNS (hyperfine runs, 10), SKIP_BUILD=1, KEEP=1.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

N=${N:-1000}
SAMPLES=${SAMPLES:-50}
RUNS=${RUNS:-10}
((SAMPLES > N)) && SAMPLES=$N

source benches/lib.sh

build_release
install_missing hyperfine
need_tools kubectl jq curl hyperfine
bench_work requests target/release home
cp_dir=$dir/control-plane
stop_local_on_exit

start_local "N=$N requests"
server=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
export_home "$work/home"
export PATH=$work/bin:$PATH
read_login "$up_out"
"$ike" "${login_args[@]}" >/dev/null
log "logged in as platform-admin"

# One tenant, ten namespaces; the requests are the cluster admin's (user admin), so the
# platform admin may decide on them.
k apply -f - >/dev/null <<EOF
apiVersion: ike.dev/v1alpha1
kind: Tenant
metadata: {name: bench}
spec:
  members: [{account: platform-admin, role: owner}]
  namespaces: [bench-0, bench-1, bench-2, bench-3, bench-4, bench-5, bench-6, bench-7, bench-8, bench-9]
EOF
until k get namespace bench-9 >/dev/null 2>&1; do sleep 0.2; done

######################################################################################### 1. create
{
  for ((i = 0; i < N; i++)); do
    g=$(printf 'g%04d.bench.example.com' "$i")  # and plural backup<i>s: a name no other CRD serves
    cat <<EOF
---
apiVersion: ike.dev/v1alpha1
kind: ResourceRequest
metadata: {name: $(printf 'rq-%04d' "$i"), namespace: bench-$((i % 10))}
spec:
  reason: benchmark request $i for the backup operator of team bench
  manifest:
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: backup${i}s.$g}
    spec:
      group: $g
      scope: Namespaced
      names: {plural: backup${i}s, singular: backup${i}, kind: Backup}
      versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  schedule: {type: string}
                  retention: {type: integer}
                  target: {type: string}
EOF
  done
} >"$work/requests.yaml"
t0=$EPOCHREALTIME
k apply -f "$work/requests.yaml" >/dev/null
t1=$EPOCHREALTIME
log "1. $N requests applied (each reviewed at admission) in $(secs "$t0" "$t1") s (load $(load))"
checked() { k get resourcerequests -A -o json | jq '[.items[] | select(.status.validation != null)] | length'; }
while (($(checked) < N)); do sleep 1; done
t2=$EPOCHREALTIME
log "   all $N checked by the controller $(secs "$t0" "$t2") s after the apply started"
size=$(k get resourcerequests -A -o json | wc -c)
log "   the list is $((size / 1024)) KiB as JSON"

######################################################################################### 2. list
log "2. ike request list -A vs kubectl get resourcerequests -A (platform admin, $RUNS runs, load $(load))"
"$ike" request list -A >/dev/null
kubectl get resourcerequests -A >/dev/null
hyperfine -N -w 2 -r "$RUNS" --export-json "$work/list.json" \
  "$ike request list -A" "kubectl get resourcerequests -A" >"$work/list.txt" 2>&1 || { cat "$work/list.txt"; exit 1; }
ike_s=$(jq '.results[0].mean' "$work/list.json")
kubectl_s=$(jq '.results[1].mean' "$work/list.json")
awk -v i="$ike_s" -v c="$kubectl_s" 'BEGIN { printf "   ike %.1f ms, kubectl %.1f ms: %.2fx (goal <= 0.5x)\n", 1000*i, 1000*c, i/c }'
rows_ike=$("$ike" request list -A -o json | jq length)
rows_kubectl=$(kubectl get resourcerequests -A --no-headers | wc -l)
log "   rows: ike $rows_ike, kubectl $rows_kubectl"

######################################################################################### 3. approve
log "3. approve -> Established, $SAMPLES samples"
cert=$cp_dir/admin.crt key=$cp_dir/admin.key ca=$cp_dir/ca.crt
established() {
  curl -s --cert "$cert" --key "$key" --cacert "$ca" \
    "$server/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$1" |
    jq -e '(.status | objects | .conditions // []) | any(.type == "Established" and .status == "True")' \
      >/dev/null 2>&1
}
: >"$work/approve.txt"
for ((i = 0; i < SAMPLES; i++)); do
  name=$(printf 'rq-%04d' "$i")
  crd=$(printf 'backup%ds.g%04d.bench.example.com' "$i" "$i")
  digest=$(k get resourcerequest "$name" -n "bench-$((i % 10))" -o jsonpath='{.status.digest}')
  kubectl patch resourcerequest "$name" -n "bench-$((i % 10))" --type=merge \
    -p "{\"spec\":{\"review\":{\"decision\":\"Approve\",\"comment\":\"bench\",\"digest\":\"$digest\"}}}" >/dev/null
  a=$EPOCHREALTIME
  deadline=$((${EPOCHREALTIME/./} + 60000000))
  until established "$crd"; do
    ((${EPOCHREALTIME/./} < deadline)) || { echo "$crd not Established after 60 s: $(k get resourcerequest "$name" -n "bench-$((i % 10))" -o jsonpath='{.status.conditions}')" >&2; exit 1; }
    sleep 0.02
  done
  b=$EPOCHREALTIME
  echo "$(secs "$a" "$b")" >>"$work/approve.txt"
done
sort -n "$work/approve.txt" | awk '{ v[NR] = $1 } END {
  p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
  printf "   approval written -> Established: p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d\n", 1000*p50, 1000*p99, 1000*v[NR], NR }'
phase=$(k get resourcerequest rq-0000 -n bench-0 -o jsonpath='{.status.phase}')
log "   rq-0000 is $phase (load $(load))"
