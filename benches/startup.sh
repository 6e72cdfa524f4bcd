#!/usr/bin/env bash
# Start-up benchmark: `ike --help` cold start, and the local control plane's start time
# (etcd + kube-apiserver + kube-controller-manager until /readyz, plus ike-controller until its
# CRDs are installed). Release build; run from the repository root:  benches/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release --bins
ike=target/release/ike
ctl=target/release/ike-controller
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null

echo "== ike --help (cold start), goal < 5 ms"
hyperfine -N --warmup 20 --runs 300 --export-json /tmp/ike-help.json "$ike --help" "kubectl --help" 2>&1 \
  | grep -E 'Time|Range|±|faster' || true

echo
echo "== local IKE start (control plane ready + controller ready), 5 runs"
dir=$(mktemp -d)
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$ctl" local up --dir "$dir/$i" >/dev/null
  end=$(date +%s.%N)
  "$ctl" local down --dir "$dir/$i" >/dev/null
  awk -v i="$i" -v a="$start" -v b="$end" 'BEGIN { printf "run %d: %.2f s\n", i, b - a }'
done
rm -rf "$dir"
