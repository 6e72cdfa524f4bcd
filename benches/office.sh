#!/usr/bin/env bash
# IKE Office against a fresh local IKE (real control plane, ike-controller, BIND 9), release
# build, side by side in one run:
#
#   1. `ike pod ip -l SELECTOR` vs `kubectl get pods -l SELECTOR -o jsonpath=...` vs curl of the
#      same GET with the same client certificate (hyperfine; the namespace holds OTHER pods
#      besides the 3 selected ones).
#   2. DNS: N headless Services exposed (external-dns annotation), each naming one ready pod;
#      then SAMPLES times: one pod's IP changes (status patch, as a node would) -> time until
#      the nameserver answers the new IP (dig every 10 ms): p50, p90, p99, max.
#
# Run from anywhere:  benches/office.sh                 (N=1000)
#                     N=100 SAMPLES=20 benches/office.sh  (quick)
# Knobs (env): N (1000), SAMPLES (100), RUNS (hyperfine runs, 30), OTHER (200), PAR (parallel
#   status patches while setting up, 8), SKIP_BUILD=1 (use the release binaries as they are),
#   KEEP=1 (keep the work dir), CARGO_TARGET_DIR (where the release build is).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

N=${N:-1000}
SAMPLES=${SAMPLES:-100}
RUNS=${RUNS:-30}
OTHER=${OTHER:-200}
PAR=${PAR:-8}
release=${CARGO_TARGET_DIR:-target}/release

source benches/lib.sh

build_release "(into $release)"
need_tools kubectl curl dig hyperfine
bench_work office "$release"
stop_local_on_exit

# Sets pod $2 in namespace $1 Running and Ready with IP $3.
ready() {
  k -n "$1" patch pod "$2" --subresource=status --type=merge -p \
    "{\"status\":{\"phase\":\"Running\",\"podIP\":\"$3\",\"podIPs\":[{\"ip\":\"$3\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}" >/dev/null
}
export -f k ready
export kc

start_local
port=$(grep -o 'dig @127.0.0.1 -p [0-9]*' <<<"$up_out" | awk '{print $4}')
[[ -n $port ]] || { echo "no DNS port in 'local up' output:" >&2; echo "$up_out" >&2; exit 1; }
api=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
cp=$dir/control-plane

################################################################################ 1. pod ip
ns=bench-podip
k create namespace $ns >/dev/null
{
  for i in 1 2 3; do
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: web-%d, labels: {app: web}}\nspec: {containers: [{name: c, image: nginx}]}\n---\n' "$i"
  done
  for i in $(seq 1 "$OTHER"); do
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: other-%d, labels: {app: other}}\nspec: {containers: [{name: c, image: nginx}]}\n---\n' "$i"
  done
} | k -n $ns apply -f - >/dev/null
for i in 1 2 3; do
  k -n $ns patch pod "web-$i" --subresource=status --type=merge -p \
    "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.$i\",\"podIPs\":[{\"ip\":\"10.244.0.$i\"},{\"ip\":\"fd00::$i\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}" >/dev/null
done
jsonpath='{range .items[*]}{range .status.podIPs[*]}{.ip}{"\n"}{end}{end}'
url="$api/api/v1/namespaces/$ns/pods?labelSelector=app%3Dweb"
ike_cmd="env KUBECONFIG=$kc $ike pod ip -n $ns -l app=web"
kubectl_cmd="kubectl --kubeconfig $kc get pods -n $ns -l app=web -o jsonpath='$jsonpath'"
curl_cmd="curl -sf --cacert $cp/ca.crt --cert $cp/admin.crt --key $cp/admin.key '$url'"
# The same answer first.
diff <(eval "$ike_cmd") <(eval "$kubectl_cmd") || { echo "ike pod ip and kubectl disagree" >&2; exit 1; }
[[ $(eval "$curl_cmd") == *'"podIPs"'* ]] || { echo "curl got no pods" >&2; exit 1; }
log "1. pod ip: 3 selected pods of $((OTHER + 3)) in the namespace, $RUNS runs each (load $(load))"
hyperfine -N -w 3 -r "$RUNS" --export-json "$work/podip.json" \
  -n "ike pod ip" "$ike_cmd" -n "kubectl jsonpath" "$kubectl_cmd" -n "curl" "$curl_cmd" 2>&1 |
  grep -E '^(Benchmark|  Time|  Range)' || true
awk '
  /"command":/ { gsub(/[",]/, ""); sub(/.*command: /, ""); name = $0 }
  /"median":/ { gsub(/[",]/, ""); m[name] = $2 * 1000 }
  END {
    printf "   median: ike %.1f ms, kubectl %.1f ms, curl %.1f ms\n", m["ike pod ip"], m["kubectl jsonpath"], m["curl"]
    printf "   ike/kubectl = %.2f (goal <= 0.25), ike/curl = %.2f (goal <= 2)\n", m["ike pod ip"] / m["kubectl jsonpath"], m["ike pod ip"] / m["curl"]
  }' "$work/podip.json"

################################################################################ 2. DNS
log "2. DNS: $N exposed headless Services, one ready pod each"
nss=10
for n in $(seq 0 $((nss - 1))); do k create namespace "bench-dns-$n" >/dev/null; done
ip_of() { printf '10.%d.%d.%d' $((100 + $2)) $(($1 / 250)) $(($1 % 250 + 1)); }
{
  for i in $(seq 0 $((N - 1))); do
    n=$((i % nss))
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: bench-dns-%d, labels: {app: s%d}}\nspec: {containers: [{name: c, image: nginx}]}\n---\n' "$i" "$n" "$i"
    printf 'apiVersion: v1\nkind: Service\nmetadata: {name: s%d, namespace: bench-dns-%d, annotations: {external-dns.alpha.kubernetes.io/hostname: s%d.office.local}}\nspec: {clusterIP: None, selector: {app: s%d}}\n---\n' "$i" "$n" "$i" "$i"
  done
} >"$work/dns.yaml"
k apply -f "$work/dns.yaml" >/dev/null
started=$EPOCHREALTIME
for i in $(seq 0 $((N - 1))); do echo "bench-dns-$((i % nss)) p$i $(ip_of "$i" 0)"; done |
  xargs -P "$PAR" -n 3 bash -c 'ready "$0" "$1" "$2"'
log "   pods ready in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s; waiting for all $N names"
last=$((N - 1))
deadline=$((SECONDS + 600))
until [[ $(dig @127.0.0.1 -p "$port" "s$last.office.local" A +short) == "$(ip_of $last 0)" ]] &&
  [[ $(k get svc -A -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="ike.dev/DNSPublished")].reason}{"\n"}{end}' | grep -c '^Published$') -ge $N ]]; do
  ((SECONDS < deadline)) || { echo "not all $N names were published in 600 s" >&2; exit 1; }
  sleep 1
done
log "   all $N names published ($(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s after the first pod was ready); controller RSS $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$(tail -n1 "$dir/pids")/status")"

log "   $SAMPLES IP changes (load $(load))"
: >"$work/latency"
for s in $(seq 1 "$SAMPLES"); do
  i=$((RANDOM * 32768 + RANDOM))
  i=$((i % N))
  new=$(ip_of "$i" "$s")
  t0=$EPOCHREALTIME
  ready "bench-dns-$((i % nss))" "p$i" "$new"
  t1=$EPOCHREALTIME
  until [[ $(dig @127.0.0.1 -p "$port" "s$i.office.local" A +short +time=1 +tries=1) == "$new" ]]; do
    sleep 0.01
  done
  awk -v a="$t0" -v b="$t1" -v c="$EPOCHREALTIME" 'BEGIN{printf "%.3f %.3f\n", c-a, c-b}' >>"$work/latency"
done
# Column 1: from the start of the kubectl patch; column 2: from its return (the apiserver has
# stored the change), which is the controller's own latency plus one dig (10 ms polls).
for col in 1 2; do
  what=$([[ $col == 1 ]] && echo "from the start of the kubectl patch" || echo "from the patch's return")
  sort -n -k"$col,$col" "$work/latency" | awk -v c="$col" -v what="$what" '
    { v[NR] = $c }
    END {
      printf "   IP change -> DNS answer, %s: p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s (goal p99 < 3 s)\n",
        what, v[int(NR*0.5+0.5)], v[int(NR*0.9+0.5)], v[int(NR*0.99+0.5)], v[NR]
    }'
done
# The patch alone, for scale: the same kubectl call with nothing to wait for.
t0=$EPOCHREALTIME
for s in 1 2 3 4 5; do ready bench-dns-0 p0 "$(ip_of 0 0)"; done
log "   (one kubectl status patch alone: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", (b-a)/5}') s)"
log "done"
