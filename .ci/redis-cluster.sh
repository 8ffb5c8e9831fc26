#!/usr/bin/env bash
# redis-cluster.sh: a 3-node Redis Cluster on loopback for the cluster tests.
#
#   .ci/redis-cluster.sh start   start the cluster (or reuse a healthy one on
#                                the same ports) and print its addresses,
#                                comma-separated, on stdout
#   .ci/redis-cluster.sh stop    shut down the nodes this script started
#   .ci/redis-cluster.sh addrs   print the addresses if the cluster is healthy
#
# Typical use:
#   export CTXFRAME_REDIS_CLUSTER_ADDRS="$(.ci/redis-cluster.sh start)"
#
# Environment:
#   CTXFRAME_CLUSTER_PORTS  ports of the nodes (default "7001 7002 7003";
#                           commas or spaces; at least 3)
#   CTXFRAME_CLUSTER_DIR    work directory, one sub-directory per node
#                           (default ${TMPDIR:-/tmp}/ctxframe-redis-cluster)
#   REDIS_SERVER, REDIS_CLI binaries (default: found on PATH)
#   CTXFRAME_CLUSTER_WAIT   seconds to wait for the cluster to be healthy
#                           (default 30)
#
# Nodes listen on 127.0.0.1 only, keep no data on disk (no RDB, no AOF) and
# run daemonized. Diagnostics go to stderr so stdout is only the addresses.
set -euo pipefail

HOST=127.0.0.1
PORTS=$(echo "${CTXFRAME_CLUSTER_PORTS:-7001 7002 7003}" | tr ',' ' ')
WORKDIR=${CTXFRAME_CLUSTER_DIR:-${TMPDIR:-/tmp}/ctxframe-redis-cluster}
STARTED="$WORKDIR/started-ports"
WAIT=${CTXFRAME_CLUSTER_WAIT:-30}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli || true)}

say() { echo "redis-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

need_tools() {
	[ -n "$REDIS_SERVER" ] && [ -x "$REDIS_SERVER" ] || die "redis-server not found (install redis-server or set REDIS_SERVER)"
	[ -n "$REDIS_CLI" ] && [ -x "$REDIS_CLI" ] || die "redis-cli not found (install redis-tools or set REDIS_CLI)"
	local n=0
	for p in $PORTS; do
		case $p in '' | *[!0-9]*) die "bad port '$p' in CTXFRAME_CLUSTER_PORTS" ;; esac
		n=$((n + 1))
	done
	[ "$n" -ge 3 ] || die "a cluster needs at least 3 ports, got '$PORTS'"
}

cli() { timeout 5 "$REDIS_CLI" -h "$HOST" -p "$1" "${@:2}" 2>/dev/null; }

answers() { [ "$(cli "$1" ping)" = "PONG" ]; }

cluster_ok() { cli "$1" cluster info | tr -d '\r' | grep -qx 'cluster_state:ok'; }

# known_nodes prints how many nodes a node knows of.
known_nodes() { cli "$1" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }

addrs() {
	local out=""
	for p in $PORTS; do out="${out:+$out,}$HOST:$p"; done
	echo "$out"
}

count_ports() { set -- $PORTS; echo $#; }

healthy() {
	local want
	want=$(count_ports)
	for p in $PORTS; do
		answers "$p" && cluster_ok "$p" || return 1
		[ "$(known_nodes "$p")" = "$want" ] || return 1
	done
}

wait_until() { # wait_until SECONDS COMMAND...: poll until COMMAND succeeds
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

start_node() {
	local p=$1 dir="$WORKDIR/$1"
	mkdir -p "$dir"
	# A fresh cluster: forget any previous run's node identity.
	rm -f "$dir/nodes.conf" "$dir/redis.pid"
	"$REDIS_SERVER" \
		--port "$p" --bind "$HOST" \
		--cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
		--dir "$dir" --save "" --appendonly no \
		--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
		>/dev/null || die "redis-server failed to start on port $p (see $dir/redis.log)"
	echo "$p" >>"$STARTED"
	wait_until 10 answers "$p" || die "node on port $p does not answer (see $dir/redis.log)"
}

stop_started() {
	[ -f "$STARTED" ] || return 0
	local p pid
	for p in $(sort -u "$STARTED"); do
		if answers "$p"; then
			cli "$p" shutdown nosave >/dev/null || true
		fi
		pid=$(cat "$WORKDIR/$p/redis.pid" 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
		fi
		say "stopped node on port $p"
	done
	rm -f "$STARTED"
}

cmd_start() {
	need_tools
	if healthy; then
		say "reusing the healthy cluster on $(addrs)"
		addrs
		return 0
	fi
	local busy=""
	for p in $PORTS; do
		if answers "$p"; then busy="$busy $p"; fi
	done
	if [ -n "$busy" ]; then
		# Nodes of an earlier, broken run of ours may be restarted; anyone
		# else's are left alone.
		for p in $busy; do
			grep -qx "$p" "$STARTED" 2>/dev/null ||
				die "port $p answers but is not a healthy cluster node this script started; free ports $PORTS or set CTXFRAME_CLUSTER_PORTS"
		done
		say "restarting the unhealthy cluster this script started"
		stop_started
	fi
	mkdir -p "$WORKDIR"
	for p in $PORTS; do start_node "$p"; done
	local nodes=()
	for p in $PORTS; do nodes+=("$HOST:$p"); done
	timeout 60 "$REDIS_CLI" --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$WORKDIR/create.log" 2>&1 ||
		{ cat "$WORKDIR/create.log" >&2; die "redis-cli --cluster create failed"; }
	wait_until "$WAIT" healthy || die "cluster not healthy (cluster_state:ok on every node) after ${WAIT}s"
	say "cluster up on $(addrs)"
	addrs
}

cmd_addrs() {
	need_tools
	healthy || die "no healthy cluster on ports $PORTS"
	addrs
}

case "${1:-}" in
start) cmd_start ;;
stop) stop_started ;;
addrs) cmd_addrs ;;
*)
	echo "usage: $0 start|stop|addrs" >&2
	exit 2
	;;
esac
