# detrain inside a Slurm allocation: sourced by slurm/detrain.sbatch and slurm/sweep.sbatch.
#
# One run = one detrain daemon per node (an srun step, bound to the node's address, accepting only the
# allocation's nodes and launchers that prove the job secret in $scratch/machines.secret, which the
# first daemon creates readable by you only), a machines file from the allocation, the
# training on niodev across the nodes (SLURM_NTASKS ranks, in blocks over the nodes), and the daemons
# stopped whatever happens (EXIT trap; Slurm also kills the step at the end of the job).
# Preemption: SIGUSR1 (sbatch --signal=B:USR1@SECONDS) stops the run cleanly and requeues the job;
# the requeued job resumes from the run's checkpoint when there is one, else starts again.
# A lost node: when a run across several nodes fails (exit 3), or its daemons cannot start, a short
# srun step asks every node of the allocation to answer; a node that does not is named with the ranks
# it ran, and the job is requeued (at most DETRAIN_REQUEUE_LIMIT times), to resume from the last
# complete checkpoint. When every node answers, the failure is the run's own: no requeue.
#
# Knobs (environment): DETRAIN_HOME (checkout, default $SLURM_SUBMIT_DIR), DETRAIN_RESULTS (default
# $DETRAIN_HOME/results), DETRAIN_PORT_BASE (default 10000), DETRAIN_DAEMON_WAIT (s, default 120),
# DETRAIN_REQUEUE_LIMIT (requeues after a lost node, default 3), DETRAIN_PROBE_WAIT (s, default 60).

dj_log() { printf '%s detrain-slurm: %s\n' "$(date +%H:%M:%S)" "$*"; }
dj_die() { dj_log "error: $*" >&2; exit 2; }

# The checkout to run from: bin/detrain and a build must be there (the job does not build).
dj_home() {
    local home=${DETRAIN_HOME:-${SLURM_SUBMIT_DIR:-}}
    [[ -n $home && -x $home/bin/detrain ]] \
        || dj_die "cannot find the detrain checkout (DETRAIN_HOME='${DETRAIN_HOME:-}', submit dir '${SLURM_SUBMIT_DIR:-}'): submit from the checkout or set DETRAIN_HOME"
    [[ -f $home/target/detrain.jar && -f $home/build/mpj/.complete ]] \
        || dj_die "$home is not built: run 'make build mpj data' there (on a login node) before submitting"
    (cd "$home" && pwd)
}

# Ports for this job's daemons: PORT (daemon) and PORT+1 (its port manager), derived from the job id
# so that two jobs on one node differ; attempt k moves to another pair. Range 10000-23999 by default,
# below MPJ's rank ports (25000-40000) and Linux's ephemeral ports.
dj_port() {
    local id=$1 attempt=$2 base=${DETRAIN_PORT_BASE:-10000}
    echo $(( base + ((id + attempt * 2153) % 7000) * 2 ))
}

# Starts the daemons (one srun task per node) and waits until each accepts. Sets DJ_DAEMON_PID,
# DJ_PORT. Returns 1 if they could not start on this port pair (the caller tries another).
dj_start_daemons() {
    local home=$1 scratch=$2 machines=$3 port=$4 nodes
    nodes=$(wc -l <"$machines")
    rm -rf "$scratch/ready"; mkdir -p "$scratch/ready" "$scratch/log"
    # --whole: the step gets all CPUs of its nodes, since the rank JVMs the daemons start run in it.
    srun --nodes="$nodes" --ntasks="$nodes" --ntasks-per-node=1 --whole --kill-on-bad-exit=1 --job-name=mpj-daemons \
        bash -c 'exec "$1/bin/detrain" daemon --port "$2" --bind "$SLURMD_NODENAME" --allow "$3" \
                 --ready "$4/ready/$SLURMD_NODENAME" --log "$4/log/daemon-$SLURMD_NODENAME.log"' \
        daemon "$home" "$port" "$machines" "$scratch" >>"$scratch/log/daemons-srun.log" 2>&1 &
    DJ_DAEMON_PID=$!
    DJ_PORT=$port
    local waited=0 limit=${DETRAIN_DAEMON_WAIT:-120}
    while (( $(find "$scratch/ready" -maxdepth 1 -type f ! -name '*.tmp' | wc -l) < nodes )); do
        if ! kill -0 "$DJ_DAEMON_PID" 2>/dev/null; then
            wait "$DJ_DAEMON_PID" 2>/dev/null || true
            DJ_DAEMON_PID=
            dj_log "the daemons did not start on ports $port/$((port + 1)):"
            tail -n 5 "$scratch"/log/daemon-*.log "$scratch/log/daemons-srun.log" 2>/dev/null | sed 's/^/    /'
            return 1
        fi
        if (( waited >= limit * 10 )); then
            dj_stop_daemons
            dj_die "the MPJ daemons did not come up within ${limit} s (ready: $(ls "$scratch/ready" | tr '\n' ' ')); see $scratch/log"
        fi
        sleep 0.1; waited=$((waited + 1))
    done
    dj_log "MPJ daemons up on $nodes node(s), port $port (bound to each node's address, allocation only)"
}

# Stops the daemon step: SIGTERM to its tasks (each daemon stops its rank JVMs and removes its MPJ
# home), then srun itself; Slurm kills whatever is left of the step.
dj_stop_daemons() {
    [[ -n ${DJ_DAEMON_PID:-} ]] || return 0
    local i step
    step=$(squeue -h -s -j "${SLURM_JOB_ID}" -o '%i %j' 2>/dev/null | awk '$2 == "mpj-daemons" { print $1 }' | head -n 1)
    if [[ -n $step ]]; then
        scancel --signal=TERM "$step" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$DJ_DAEMON_PID" 2>/dev/null || break
            sleep 0.1
        done
    fi
    kill -TERM "$DJ_DAEMON_PID" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$DJ_DAEMON_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$DJ_DAEMON_PID" 2>/dev/null || true
    wait "$DJ_DAEMON_PID" 2>/dev/null || true
    DJ_DAEMON_PID=
    dj_log "MPJ daemons stopped"
}

dj_on_exit() {
    local rc=$?
    trap - EXIT
    if [[ -n ${DJ_TERMINATED:-} ]]; then
        # scancel or the time limit: Slurm is stopping every step already and kills this script
        # KillWait seconds from now, so save the logs and drop the scratch first.
        dj_save_logs
        [[ -z ${DJ_TRAIN_PID:-} ]] || kill -TERM "$DJ_TRAIN_PID" 2>/dev/null || true
        [[ -z ${DJ_DAEMON_PID:-} ]] || kill -TERM "$DJ_DAEMON_PID" 2>/dev/null || true
        exit "$rc"
    fi
    [[ -z ${DJ_TRAIN_PID:-} ]] || { kill -TERM "$DJ_TRAIN_PID" 2>/dev/null; wait "$DJ_TRAIN_PID" 2>/dev/null; }
    dj_stop_daemons
    dj_save_logs
    exit "$rc"
}

# Daemon logs into the run's log/, then the job's scratch (machines file, MPJ homes) goes.
dj_save_logs() {
    if [[ -n ${DJ_SCRATCH:-} && -d $DJ_SCRATCH ]]; then
        if [[ -n ${DJ_RUN:-} && -d $DJ_RUN/log ]]; then
            cp "$DJ_SCRATCH"/log/* "$DJ_RUN/log/" 2>/dev/null || true
        fi
        rm -rf "$DJ_SCRATCH"
    fi
}

# The nodes of the machines file $1 that do not answer now, one a line: each node is asked to run
# `echo` in a step of its own (--overlap: beside the daemon step), bounded by DETRAIN_PROBE_WAIT
# seconds. A node Slurm cannot reach makes srun give up after its MessageTimeout (10 s by default).
dj_lost_nodes() {
    local machines=$1 n answered
    n=$(wc -l <"$machines")
    answered=$(timeout "${DETRAIN_PROBE_WAIT:-60}" srun --overlap --nodes="$n" --ntasks="$n" --ntasks-per-node=1 \
        --job-name=detrain-probe bash -c 'echo "answered $SLURMD_NODENAME"' 2>/dev/null \
        | awk '$1 == "answered" { print $2 }' || true)
    grep -vxF -f <(printf '%s\n' "$answered") "$machines" || true
}

# The ranks of this attempt that ran on node $1 (from the "pid host" lines of status/rank-N.pid);
# none before this attempt's training started (the files are an earlier attempt's until then).
dj_ranks_on() {
    local node=${1%%.*} f pid host
    [[ -n ${DJ_TRAIN_STARTED:-} ]] || return 0
    for f in "$DJ_RUN"/status/rank-*.pid; do
        [[ -f $f ]] || continue
        read -r pid host <"$f" || true
        [[ ${host%%.*} == "$node" ]] && { f=${f##*/rank-}; echo "${f%.pid}"; }
    done | sort -n | paste -sd' '
}

# After a failed start or run on several nodes: if a node of the allocation no longer answers, say
# which and what ran there, stop the daemons, keep the logs and requeue the job (it resumes from the
# last complete checkpoint, elsewhere once Slurm has marked the node down). Returns 1, having done
# nothing else, when every node answers (the failure is the run's own: a requeue would repeat it),
# on a one-node job (the node is this one), or when the job was requeued DETRAIN_REQUEUE_LIMIT times.
dj_requeue_if_node_lost() {
    local machines=$1 lost node ranks restarts=${SLURM_RESTART_COUNT:-0} limit=${DETRAIN_REQUEUE_LIMIT:-3}
    (( $(wc -l <"$machines") > 1 )) || return 1
    dj_log "asking every node of the allocation to answer"
    lost=$(dj_lost_nodes "$machines")
    if [[ -z $lost ]]; then
        dj_log "every node answers: the failure is the run's own, so the job is not requeued"
        return 1
    fi
    for node in $lost; do
        ranks=$(dj_ranks_on "$node")
        if [[ -n $ranks ]]; then
            dj_log "node $node is lost (it does not answer Slurm): rank(s) $ranks ran there"
        else
            dj_log "node $node is lost (it does not answer Slurm); no rank of this attempt had started there"
        fi
    done
    if (( restarts >= limit )); then
        dj_log "not requeueing: the job was requeued $restarts time(s) already (DETRAIN_REQUEUE_LIMIT=$limit)"
        return 1
    fi
    # The daemon step cannot end cleanly with a node gone; the requeue ends what is left of it.
    [[ -z ${DJ_DAEMON_PID:-} ]] || { kill -KILL "$DJ_DAEMON_PID" 2>/dev/null; wait "$DJ_DAEMON_PID" 2>/dev/null; DJ_DAEMON_PID=; }
    dj_save_logs
    dj_log "requeueing job ${SLURM_JOB_ID} (restart $((restarts + 1)) of at most $limit): it resumes from the last complete checkpoint"
    scontrol requeue "${SLURM_JOB_ID}" || { dj_log "scontrol requeue failed: resubmit to resume"; return 1; }
}

# The run id of a single-run job: <job-name>-<job-id> (results/detrain-4711), the name made fit for a
# directory; a sweep's tasks are task-NNN inside results/<sweep>-<array-job-id>/ (slurm/sweep.sbatch).
dj_job_run_id() {
    local name=${SLURM_JOB_NAME:-detrain}
    name=${name//[^A-Za-z0-9._-]/_}
    [[ $name =~ ^[A-Za-z0-9] ]] || name=job$name
    echo "$name-${SLURM_JOB_ID:?not a Slurm job}"
}

# SIGUSR1 (preemption or the time limit, via --signal=B:USR1@T): stop the run, then requeue.
dj_on_usr1() {
    dj_log "SIGUSR1: stopping the run for requeue (restart count ${SLURM_RESTART_COUNT:-0})"
    DJ_PREEMPTED=1
    [[ -z ${DJ_TRAIN_PID:-} ]] || kill -TERM "$DJ_TRAIN_PID" 2>/dev/null || true
}

# dj_run RUN_ID TRAIN_ARGS... : one training run on this allocation, results in $results/RUN_ID.
dj_run() {
    local run_id=$1; shift
    local home results scratch machines ranks attempt rc
    home=$(dj_home)
    results=${DETRAIN_RESULTS:-$home/results}
    mkdir -p "$results"
    results=$(cd "$results" && pwd)
    DJ_RUN=$results/$run_id
    DJ_SCRATCH=$results/.slurm-$run_id
    scratch=$DJ_SCRATCH
    trap dj_on_exit EXIT
    trap 'DJ_TERMINATED=1; exit 143' TERM
    trap 'exit 130' INT
    trap dj_on_usr1 USR1
    rm -rf "$scratch"; mkdir -p "$scratch/log"
    machines=$scratch/machines
    scontrol show hostnames "$SLURM_JOB_NODELIST" >"$machines"
    ranks=${SLURM_NTASKS:-$(wc -l <"$machines")}
    dj_log "job ${SLURM_JOB_ID} (run $run_id): $ranks ranks on $(paste -sd' ' "$machines"); results $DJ_RUN"

    if [[ -d $DJ_RUN ]]; then
        # A requeued attempt: detrain resumes from the newest complete checkpoint of this config, or
        # starts again when there is none (--resume-if-possible). Keep the earlier attempt's logs.
        local aside=$results/.attempt-${SLURM_RESTART_COUNT:-0}-$run_id-log
        rm -rf "$aside"; [[ -d $DJ_RUN/log ]] && cp -r "$DJ_RUN/log" "$aside"
        dj_log "$DJ_RUN exists (attempt ${SLURM_RESTART_COUNT:-0}): resuming if it holds a complete checkpoint; earlier logs in $aside"
    fi

    for attempt in 0 1 2 3; do
        dj_start_daemons "$home" "$scratch" "$machines" "$(dj_port "${SLURM_JOB_ID}" "$attempt")" && break
        ! dj_requeue_if_node_lost "$machines" || exit 0
        (( attempt < 3 )) || dj_die "no free port pair for the MPJ daemons after 4 tries; see $scratch/log"
    done

    local cmd=("$home/bin/detrain" train -np "$ranks" --transport niodev --machines "$machines"
               --daemon-port "$DJ_PORT")
    cmd+=(--resume-if-possible --results "$results" --run-id "$run_id" "$@")
    dj_log "${cmd[*]}"
    DJ_PREEMPTED=0
    "${cmd[@]}" &
    DJ_TRAIN_PID=$!
    DJ_TRAIN_STARTED=1
    rc=0
    while kill -0 "$DJ_TRAIN_PID" 2>/dev/null; do
        wait "$DJ_TRAIN_PID" && rc=0 || rc=$?
    done
    DJ_TRAIN_PID=
    if (( DJ_PREEMPTED )) && (( rc == 0 || rc == 2 )); then
        # the signal came as the run ended: a finished run (or bad input) would only repeat itself
        dj_log "SIGUSR1 came as the run ended (exit code $rc): not requeueing job ${SLURM_JOB_ID}"
    elif (( DJ_PREEMPTED )); then
        dj_stop_daemons
        dj_log "requeueing job ${SLURM_JOB_ID}"
        scontrol requeue "${SLURM_JOB_ID}" || dj_log "scontrol requeue failed: the run stays stopped in $DJ_RUN"
        exit 0
    fi
    if (( rc == 75 )); then
        # stopped on a signal after a complete checkpoint (e.g. SIGTERM from scancel or the time limit)
        dj_log "the run stopped after a complete checkpoint; resubmit (or requeue) to continue"
    fi
    dj_log "training finished with exit code $rc (0 done, 2 bad input, 3 run failed, 75 checkpointed and stopped)"
    if (( rc == 3 )) && dj_requeue_if_node_lost "$machines"; then
        exit 0
    fi
    exit "$rc"
}
