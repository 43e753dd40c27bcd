#!/usr/bin/env bash
# Several "hosts" on one Linux machine, for multi-host tests: network namespaces joined by veth pairs
# on a bridge that lives in a namespace of its own (nothing touches the machine's own network, unless
# `uplink` is asked for).
#     scripts/netns-hosts.sh up PREFIX N        creates PREFIX-h1 .. PREFIX-hN (addresses 10.250.S.1..N/24)
#     scripts/netns-hosts.sh exec PREFIX K CMD  runs CMD as host K: in its namespace, with host name PREFIX-hK
#     scripts/netns-hosts.sh cut PREFIX K       takes host K's link down (a cable pulled)
#     scripts/netns-hosts.sh uncut PREFIX K     puts host K's link up again (the cable plugged back in)
#     scripts/netns-hosts.sh uplink PREFIX      joins this machine's own namespace to the bridge too, as
#                                               10.250.S.254 (interface PREFIX-up), so that a service
#                                               here (a Slurm controller) and the hosts reach each other
#     scripts/netns-hosts.sh down PREFIX N      removes the namespaces, the uplink and the hosts files
# Every host resolves every host's name through /etc/netns/PREFIX-hK/hosts, which `exec` mounts over
# /etc/hosts (in a mount namespace of the command's own, as `ip netns exec` would). Needs root,
# iproute2 and util-linux (nsenter, unshare). PREFIX: at most 8 letters/digits (interface names are
# limited to 15 characters). The subnet S is derived from PREFIX.
set -euo pipefail

die() { echo "netns-hosts.sh: $*" >&2; exit 1; }
[[ $# -ge 2 ]] || die "usage: $0 up|down PREFIX N | exec PREFIX K CMD... | cut|uncut PREFIX K | uplink PREFIX"
cmd=$1 prefix=$2
[[ $prefix =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "PREFIX must be 1-8 lowercase letters/digits, starting with a letter"
subnet=$(( $(printf '%s' "$prefix" | cksum | cut -d' ' -f1) % 200 + 20 ))

up() {
    local n=$1 k
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    command -v ip >/dev/null || die "ip is missing: apt-get install iproute2"
    ip netns add "$prefix-br"
    ip -n "$prefix-br" link add br0 type bridge
    ip -n "$prefix-br" link set br0 up
    ip -n "$prefix-br" link set lo up
    for ((k = 1; k <= n; k++)); do
        ip netns add "$prefix-h$k"
        ip link add "$prefix-e$k" type veth peer name "$prefix-b$k"
        ip link set "$prefix-e$k" netns "$prefix-h$k"
        ip link set "$prefix-b$k" netns "$prefix-br"
        ip -n "$prefix-br" link set "$prefix-b$k" master br0
        ip -n "$prefix-br" link set "$prefix-b$k" up
        ip -n "$prefix-h$k" link set "$prefix-e$k" name eth0
        ip -n "$prefix-h$k" addr add "10.250.$subnet.$k/24" dev eth0
        ip -n "$prefix-h$k" link set eth0 up
        ip -n "$prefix-h$k" link set lo up
    done
    for ((k = 1; k <= n; k++)); do
        mkdir -p "/etc/netns/$prefix-h$k"
        {
            echo "127.0.0.1 localhost"
            for ((j = 1; j <= n; j++)); do echo "10.250.$subnet.$j $prefix-h$j"; done
        } >"/etc/netns/$prefix-h$k/hosts"
    done
}

# The only change to this machine's own network namespace: one veth end with one address, whose
# route covers the hosts' subnet. Refused when that subnet (or a part of it) is routed here already;
# a wider route (10.0.0.0/8) stays, its 10.250.S.0/24 part goes to the hosts until `down`.
uplink() {
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    ip netns list | grep -q "^$prefix-br\b" || die "no hosts with prefix $prefix: run '$0 up $prefix N' first"
    if ip link show "$prefix-up" >/dev/null 2>&1; then
        return 0
    fi
    local routed
    routed=$(ip -4 route show match "10.250.$subnet.1" | awk '$1 != "default" { n = split($1, a, "/"); if (n == 1 || a[2] >= 24) print }'
             ip -4 route show root "10.250.$subnet.0/24")
    [[ -z $routed ]] || die "10.250.$subnet.0/24 is routed on this machine already ($routed): choose another PREFIX"
    ip link add "$prefix-up" type veth peer name "$prefix-ub"
    ip link set "$prefix-ub" netns "$prefix-br"
    ip -n "$prefix-br" link set "$prefix-ub" master br0
    ip -n "$prefix-br" link set "$prefix-ub" up
    ip addr add "10.250.$subnet.254/24" dev "$prefix-up"
    ip link set "$prefix-up" up
}

down() {
    local n=$1 k
    ip link del "$prefix-up" 2>/dev/null || true
    for ((k = 1; k <= n; k++)); do
        ip netns del "$prefix-h$k" 2>/dev/null || true
        rm -rf "/etc/netns/$prefix-h$k"
    done
    ip netns del "$prefix-br" 2>/dev/null || true
}

case $cmd in
up) [[ $# -eq 3 ]] || die "usage: $0 up PREFIX N"; up "$3" ;;
down) [[ $# -eq 3 ]] || die "usage: $0 down PREFIX N"; down "$3" ;;
exec)
    [[ $# -ge 4 ]] || die "usage: $0 exec PREFIX K CMD..."
    k=$3; shift 3
    # Not `ip netns exec`: that mounts a fresh /sys, without the cgroup file systems slurmd needs.
    # The host's own mount namespace only puts its hosts file over /etc/hosts.
    exec nsenter --net="/run/netns/$prefix-h$k" unshare --uts --mount --propagation private \
        sh -c 'hostname "$0" && mount --bind "/etc/netns/$0/hosts" /etc/hosts && exec "$@"' "$prefix-h$k" "$@"
    ;;
cut) [[ $# -eq 3 ]] || die "usage: $0 cut PREFIX K"; ip -n "$prefix-h$3" link set eth0 down ;;
uncut) [[ $# -eq 3 ]] || die "usage: $0 uncut PREFIX K"; ip -n "$prefix-h$3" link set eth0 up ;;
uplink) [[ $# -eq 2 ]] || die "usage: $0 uplink PREFIX"; uplink ;;
*) die "unknown command $cmd" ;;
esac
