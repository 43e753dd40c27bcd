# Pieces shared by scripts/slurm-local.sh (one node) and scripts/slurm-cluster.sh (several nodes in
# network namespaces): sourced, not run. Everything lives under the caller's directory DIR.

# A TCP port that is free on this machine now.
slurm_free_port() {
    python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# munged with its own key, socket and files under DIR; nothing under /etc or /run is touched.
slurm_start_munge() {
    local dir=$1
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge.key"
    munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
        --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed"
}

# TERM to the processes named by pid files, KILL to those still there 5 s later; files or processes
# that are gone are skipped.
slurm_stop_pidfiles() {
    local f pids=() pid alive
    for f in "$@"; do
        [[ -f $f ]] && pid=$(cat "$f") && [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    done
    for _ in $(seq 50); do
        alive=
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [[ -n $alive ]] || return 0
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

# Cancels every job of the cluster whose slurm.conf is $1 (the batch shells first, then the rest).
slurm_cancel_all() {
    [[ -f $1 ]] || return 0
    SLURM_CONF=$1 timeout 10 scancel --quiet --full --user=root 2>/dev/null || true
    SLURM_CONF=$1 timeout 10 scancel --quiet --user=root 2>/dev/null || true
}

# The slurm.conf lines both clusters share: munge under DIR, root daemons, no cgroups, no accounting.
slurm_common_conf() {
    local dir=$1
    cat <<CONF
AuthType=auth/munge
# cred_expire: also how long a requeued job waits before it may start again (default 120 s)
AuthInfo=socket=$dir/munge.socket,cred_expire=10
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmctldLogFile=$dir/log/slurmctld.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
JobRequeue=1
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
CONF
}
