# What the benches/*.sh scripts share: their start-up against a fresh local IKE, written once.
# Sourced by a bench after `set -euo pipefail` and its `cd` to the repository root:
#
#   source benches/lib.sh
#
# Functions only, and the bench's start time: each bench keeps its own knobs, steps and output,
# and says what differs (work-dir name, binaries, tools, persons) as arguments. The knobs read
# here are those every bench has: SKIP_BUILD (use the binaries as they are) and KEEP (keep the
# work dir).

bench_start=$EPOCHREALTIME
# A line of the bench's log, stamped with the seconds since the bench started.
log() { printf '[%7.1fs] %s\n' "$(awk -v a="$bench_start" -v b="$EPOCHREALTIME" 'BEGIN{print b-a}')" "$*"; }
# The machine is shared: say how busy it was (1-minute load average) next to each figure.
load() { cut -d' ' -f1 /proc/loadavg; }
# Seconds between two $EPOCHREALTIME values.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# Microseconds since the epoch, for deadlines in bash arithmetic.
now_us() { echo "${EPOCHREALTIME/./}"; }

# build_release [NOTE]: `cargo build --release --bins` (logged, with NOTE), unless SKIP_BUILD is
# set. A bench whose BIN_DIR implies SKIP_BUILD says so at the call.
build_release() {
  [[ -n ${SKIP_BUILD:-} ]] && return 0
  log "cargo build --release --bins${1:+ $1}"
  cargo build -q --release --bins
}

# install_missing TOOL...: installs each TOOL that is not on PATH (apt-get, the package of the
# same name), for the tools a bench may install rather than refuse to run without.
install_missing() {
  local tool
  for tool; do
    command -v "$tool" >/dev/null || apt-get install -y -q "$tool" >/dev/null
  done
}

# need_tools TOOL...: exits 2, naming it, at the first TOOL that is not on PATH.
need_tools() {
  local tool
  for tool; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
  done
}

# bench_work NAME BIN [SUBDIR...]: makes the bench's work dir, ike-bench-NAME.XXXXXX under the
# temporary directory, with the SUBDIRs and bin/ holding copies of BIN's ike and ike-controller:
# target/ is shared, and a concurrent build must not swap them under a running benchmark.
# Sets work, ike and ctl (the copies), dir (the local IKE's) and kc (its admin kubeconfig).
bench_work() {
  local name=$1 bin=$2 sub
  shift 2
  work=$(mktemp -d -t "ike-bench-$name.XXXXXX")
  mkdir -p "$work/bin"
  for sub; do mkdir -p "$work/$sub"; done
  cp "$bin/ike" "$bin/ike-controller" "$work/bin/"
  ike=$work/bin/ike
  ctl=$work/bin/ike-controller
  dir=$work/local
  kc=$dir/control-plane/admin.kubeconfig
}

# stop_local_on_exit [--first FUNC] [--last FUNC] [--kept NOTE]: on exit (INT and TERM exit 130
# through it), stops the local IKE in $dir if it was started, then keeps $work if the bench
# failed or KEEP is set, saying so on stderr with NOTE (where to look; the controller log by
# default), and removes it otherwise; the exit status is the bench's. FUNC --first runs before
# `local down` (the bench's own helper processes), --last after it (a controller the bench
# restarted, should `local down` have missed it).
stop_local_on_exit() {
  local first= last= kept="controller log: $dir/ike-controller.log"
  while (($#)); do
    case $1 in
    --first) first=$2 ;;
    --last) last=$2 ;;
    --kept) kept=$2 ;;
    *) echo "stop_local_on_exit: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
  done
  trap "_stop_local $(printf '%q ' "$first" "$last" "$kept")" EXIT
  trap 'exit 130' INT TERM
}
# The EXIT trap of stop_local_on_exit: FIRST LAST KEPT.
_stop_local() {
  local rc=$? first=$1 last=$2 kept=$3
  trap - EXIT INT TERM
  [[ -z $first ]] || "$first" || true
  [[ -f $dir/pids ]] && { "$ctl" local down --dir "$dir" >/dev/null 2>&1 || true; }
  [[ -z $last ]] || "$last" || true
  if [[ -n ${KEEP:-} || $rc -ne 0 ]]; then
    echo "work dir kept: $work ($kept)" >&2
  else
    rm -rf "$work"
  fi
  exit "$rc"
}

# kubectl as the local IKE's cluster admin.
k() { kubectl --kubeconfig "$kc" "$@"; }

# export_home H: this shell, and what it starts, acts as the person whose home is H: HOME, the XDG
# directories and KUBECONFIG under it, no colours.
export_home() {
  local h=$1
  export HOME=$h XDG_DATA_HOME=$h/.local/share XDG_CONFIG_HOME=$h/.config XDG_CACHE_HOME=$h/.cache \
    XDG_STATE_HOME=$h/.local/state KUBECONFIG=$h/.kube/config NO_COLOR=1
}

# add_persons WORK NAME...: for each NAME, a home WORK/home-NAME and a script WORK/bin/as-NAME
# that runs its arguments as that person (for commands that others start: hyperfine, `&`).
add_persons() {
  local work=$1 who
  shift
  for who; do
    mkdir -p "$work/home-$who"
    {
      printf '#!/usr/bin/env bash\n'
      declare -f export_home
      printf 'export_home %q\nexec "$@"\n' "$work/home-$who"
    } >"$work/bin/as-$who"
    chmod +x "$work/bin/as-$who"
  done
}

# as NAME CMD...: runs the command CMD (not a function) as NAME, whose home add_persons made in
# $work. One fork, as for any command.
as() { (export_home "$work/home-$1" && exec "${@:2}"); }

# start_local [NOTE]: starts the local IKE in $dir (logged, with NOTE); `local up`'s output in
# up_out.
start_local() {
  log "starting a local IKE in $dir${1:+ ($1)}"
  up_out=$("$ctl" local up --dir "$dir")
}

# read_login UP_OUT: the bootstrap admin's login from `local up`'s output UP_OUT: login (the
# `ike login ...` line, empty if none) and login_args (its arguments, for "$ike"). A controller
# that prints none (older revisions, which the before/after scripts run) gets them built from
# what it leaves behind in $dir: the account API's address, the CA's pin, the bootstrap token.
read_login() {
  local api pin pid
  login=$(grep -o 'ike login .*' <<<"$1" | head -n1 || true)
  if [[ -n $login ]]; then
    read -ra login_args <<<"${login#ike }"
    return 0
  fi
  pid=$(tail -n1 "$dir/pids")
  api=$(tr '\0' '\n' <"/proc/$pid/cmdline" | grep -A1 -x -- --account-api-listen | tail -n1)
  pin=sha256:$(openssl x509 -in "$dir/control-plane/ca.crt" -pubkey -noout |
    openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1)
  login_args=(login --site local --server "https://$api" --ca-pin "$pin" --token "$(cat "$dir/bootstrap-token")")
}
