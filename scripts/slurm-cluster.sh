#!/usr/bin/env bash
# A real multi-node Slurm cluster on this one machine, for tests and for trying slurm/*.sbatch
# across nodes:
#     scripts/slurm-cluster.sh up DIR [NODES]   NODES (default 3) hosts from network namespaces
#                                               (scripts/netns-hosts.sh), one slurmd per host with
#                                               the host's own name and address; slurmctld and munged
#                                               here, in this machine's own namespace, joined to the
#                                               hosts' bridge as 10.250.S.254 (the uplink)
#     scripts/slurm-cluster.sh status DIR       the nodes as Slurm sees them; exit 1 if not up
#     scripts/slurm-cluster.sh down DIR         cancels every job, stops every daemon and every
#                                               process left in the hosts, removes the namespaces,
#                                               the uplink, /etc/netns/<host>/ and everything under DIR
# Then: export SLURM_CONF=DIR/slurm.conf; sbatch --nodes=3 ...; squeue; sinfo -N.
# `up` on a cluster that is up does nothing; on a half-started one it cleans up and starts afresh.
# Host K is <prefix>-hK (prefix in DIR/cluster.env; DETRAIN_CLUSTER_PREFIX chooses it, default
# derived from DIR), so `scripts/netns-hosts.sh cut <prefix> K` pulls node K's cable and
# `scripts/netns-hosts.sh exec <prefix> K CMD` runs CMD on it.
# CPUs per node: DETRAIN_SLURM_CPUS (default: what nproc says; the nodes share this machine's cores).
# Needs root, slurm-wlm, munge, iproute2 and util-linux (scripts/deps.sh installs them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "slurm-cluster.sh: $*" >&2; exit 1; }
source "$here/lib/slurm-common.sh"
[[ $# -ge 2 ]] || die "usage: $0 up DIR [NODES] | status DIR | down DIR"
cmd=$1
dir=$2

load_env() {
    [[ -f $dir/cluster.env ]] || return 1
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
}

# The slurmd of node K, if its pid file names a live process.
slurmd_alive() {
    local f=$dir/run/slurmd-$prefix-h$1.pid
    [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

healthy() {
    load_env || return 1
    local k f
    for f in munged.pid run/slurmctld.pid; do
        [[ -f $dir/$f ]] && kill -0 "$(cat "$dir/$f")" 2>/dev/null || return 1
    done
    for ((k = 1; k <= nodes; k++)); do slurmd_alive "$k" || return 1; done
    SLURM_CONF=$dir/slurm.conf timeout 10 sinfo -h >/dev/null 2>&1
}

status() {
    if ! load_env; then
        echo "slurm-cluster.sh: no cluster in $dir"
        return 1
    fi
    echo "cluster in $dir: $nodes node(s) $prefix-h[1-$nodes], controller $ctld_addr:$ctld_port"
    echo "export SLURM_CONF=$dir/slurm.conf"
    SLURM_CONF=$dir/slurm.conf timeout 10 sinfo -N -o '%N %T %C %O' 2>&1 || true
    if healthy; then
        echo "state: up"
    else
        echo "state: not (fully) up: a daemon has stopped ('$0 up $dir $nodes' starts it afresh)"
        return 1
    fi
}

down() {
    [[ -d $dir ]] || return 0
    dir=$(cd "$dir" && pwd)
    if load_env; then
        slurm_cancel_all "$dir/slurm.conf"
        local k pid
        local slurmds=()
        for ((k = 1; k <= nodes; k++)); do slurmds+=("$dir/run/slurmd-$prefix-h$k.pid"); done
        slurm_stop_pidfiles "${slurmds[@]}"
        # Whatever still runs in a host (a job step's processes, MPJ daemons, rank JVMs) goes with it.
        for ((k = 1; k <= nodes; k++)); do
            for pid in $(ip netns pids "$prefix-h$k" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
        done
        for _ in $(seq 50); do
            pid=
            for ((k = 1; k <= nodes; k++)); do pid+=$(ip netns pids "$prefix-h$k" 2>/dev/null); done
            [[ -n $pid ]] || break
            sleep 0.1
        done
        for ((k = 1; k <= nodes; k++)); do
            for pid in $(ip netns pids "$prefix-h$k" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        done
        slurm_stop_pidfiles "$dir/run/slurmctld.pid"
        slurm_stop_pidfiles "$dir/munged.pid"
        "$here/netns-hosts.sh" down "$prefix" "$nodes"
    fi
    rm -rf "$dir"/{cluster.env,slurm.conf,munge.key,munge.socket,munge.socket.lock,munge.seed,munged.pid,state,spool,run}
    [[ -n ${DETRAIN_CLUSTER_KEEP_LOGS:-} ]] || rm -rf "$dir/log"
    rmdir "$dir" 2>/dev/null || true
}

up() {
    local want=$1 nodes prefix ctld_port ctld_addr
    [[ $(id -u) -eq 0 ]] || die "must run as root (slurmd and munged run as root here, and network namespaces need it)"
    [[ $want =~ ^[0-9]+$ ]] && (( want >= 1 && want <= 64 )) || die "NODES must be 1..64, not '$want'"
    for t in munged slurmctld slurmd sbatch ip unshare nsenter; do
        command -v "$t" >/dev/null || die "$t is missing: apt-get install slurm-wlm munge iproute2 util-linux (scripts/deps.sh)"
    done
    if healthy; then
        (( nodes == want )) || die "a $nodes-node cluster is up in $dir already: '$0 down $dir' first"
        echo "slurm-cluster.sh: already up ($nodes node(s) in $dir): export SLURM_CONF=$dir/slurm.conf"
        return 0
    fi
    if [[ -f $dir/cluster.env ]]; then
        echo "slurm-cluster.sh: $dir holds a cluster that is not (fully) up: taking it down first" >&2
        down
    fi
    nodes=$want
    mkdir -p "$dir"/{state,spool,run,log}
    dir=$(cd "$dir" && pwd)
    prefix=${DETRAIN_CLUSTER_PREFIX:-sc$(( $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 100000 ))}
    if ip netns list | grep -q "^$prefix-"; then
        die "network namespaces $prefix-* exist already (another cluster, or one left behind): 'scripts/netns-hosts.sh down $prefix N', or set DETRAIN_CLUSTER_PREFIX"
    fi
    local cpus=${DETRAIN_SLURM_CPUS:-$(nproc)} slurmd_port subnet_addr k
    ctld_port=$(slurm_free_port)
    slurmd_port=$(slurm_free_port) # each slurmd listens in its own namespace: one port number for all
    # From here on a failure takes down whatever was started.
    cat >"$dir/cluster.env" <<ENV
prefix=$prefix
nodes=$nodes
ctld_port=$ctld_port
ENV
    trap 'echo "slurm-cluster.sh: start failed; logs in $dir/log" >&2; DETRAIN_CLUSTER_KEEP_LOGS=1 down; exit 1' ERR
    "$here/netns-hosts.sh" up "$prefix" "$nodes"
    "$here/netns-hosts.sh" uplink "$prefix"
    subnet_addr=$(ip -4 -o addr show dev "$prefix-up" | awk '{ print $4 }')
    ctld_addr=${subnet_addr%/*}
    echo "ctld_addr=$ctld_addr" >>"$dir/cluster.env"
    slurm_start_munge "$dir"
    {
        echo "# generated by scripts/slurm-cluster.sh: $nodes nodes in network namespaces on this machine"
        echo "ClusterName=detrain-cluster"
        echo "SlurmctldHost=$(hostname -s)($ctld_addr)"
        echo "SlurmctldPort=$ctld_port"
        echo "SlurmdPort=$slurmd_port"
        echo "SlurmctldPidFile=$dir/run/slurmctld.pid"
        # one slurmd per node: %n is the node's name
        echo "SlurmdSpoolDir=$dir/spool/%n"
        echo "SlurmdPidFile=$dir/run/slurmd-%n.pid"
        echo "SlurmdLogFile=$dir/log/slurmd-%n.log"
        slurm_common_conf "$dir"
        # a requeued job may start again 10 s (cred_expire) after the requeue: look for work every 5 s
        # rather than every 60 s
        echo "SchedulerParameters=sched_interval=5"
        for ((k = 1; k <= nodes; k++)); do
            echo "NodeName=$prefix-h$k NodeHostname=$prefix-h$k NodeAddr=${ctld_addr%.*}.$k CPUs=$cpus State=UNKNOWN"
        done
        echo "PartitionName=cluster Nodes=$prefix-h[1-$nodes] Default=YES MaxTime=INFINITE State=UP"
    } >"$dir/slurm.conf"
    slurmctld -f "$dir/slurm.conf" -i
    for ((k = 1; k <= nodes; k++)); do
        mkdir -p "$dir/spool/$prefix-h$k"
        "$here/netns-hosts.sh" exec "$prefix" "$k" slurmd -f "$dir/slurm.conf" -N "$prefix-h$k"
    done
    trap - ERR
    export SLURM_CONF=$dir/slurm.conf
    local idle
    for _ in $(seq 300); do
        idle=$(sinfo -h -N -o '%T' 2>/dev/null | grep -cE '^(idle|mixed|allocated)$' || true)
        if (( idle == nodes )); then
            echo "slurm-cluster.sh: $nodes-node Slurm up ($prefix-h[1-$nodes]): export SLURM_CONF=$dir/slurm.conf"
            return 0
        fi
        sleep 0.1
    done
    sinfo -N -l >&2 || true
    tail -n 20 "$dir"/log/*.log >&2 || true
    DETRAIN_CLUSTER_KEEP_LOGS=1 down
    die "Slurm did not come up within 30 s; logs in $dir/log"
}

case $cmd in
up) [[ $# -le 3 ]] || die "usage: $0 up DIR [NODES]"; up "${3:-3}" ;;
status) [[ $# -eq 2 ]] || die "usage: $0 status DIR"; status ;;
down) [[ $# -eq 2 ]] || die "usage: $0 down DIR"; down ;;
*) die "usage: $0 up DIR [NODES] | status DIR | down DIR" ;;
esac
