#!/usr/bin/env bash
# Several "hosts" on one Linux machine, for multi-host tests: network namespaces joined by veth pairs
# on a bridge that lives in a namespace of its own (nothing touches the machine's own network).
#     scripts/netns-hosts.sh up PREFIX N        creates PREFIX-h1 .. PREFIX-hN (addresses 10.250.S.1..N/24)
#     scripts/netns-hosts.sh exec PREFIX K CMD  runs CMD as host K: in its namespace, with host name PREFIX-hK
#     scripts/netns-hosts.sh cut PREFIX K       takes host K's link down (a cable pulled)
#     scripts/netns-hosts.sh down PREFIX N      removes the namespaces and their hosts files
# Every host resolves every host's name through /etc/netns/PREFIX-hK/hosts, which `ip netns exec`
# mounts over /etc/hosts. Needs root and iproute2 (util-linux for unshare). PREFIX: at most 8
# letters/digits (interface names are limited to 15 characters). The subnet S is derived from PREFIX.
set -euo pipefail

die() { echo "netns-hosts.sh: $*" >&2; exit 1; }
[[ $# -ge 2 ]] || die "usage: $0 up|down PREFIX N | exec PREFIX K CMD... | cut PREFIX K"
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

down() {
    local n=$1 k
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
    exec ip netns exec "$prefix-h$k" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$prefix-h$k" "$@"
    ;;
cut) [[ $# -eq 3 ]] || die "usage: $0 cut PREFIX K"; ip -n "$prefix-h$3" link set eth0 down ;;
*) die "unknown command $cmd" ;;
esac
