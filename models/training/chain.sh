#!/bin/bash
# Issue 20 item 2: runs 2-4 of the erythroblast-free latent model, then the
# card's steps (models/training/README.md, section 2). Runs in
# /work/runs/noery with the binaries copied to /work/runs (engine-s27,
# cli-s27: copy the session's build there first and change E and CLI).
# Resumable: a finished run's .pt is kept; a stopped one resumes from its
# full checkpoint (.ckpt, exact) or, on a fresh machine, from the compact
# checkpoint restored from a state commit (.compact, no --init needed).
set -e
cd /work/runs/noery
# The finished model marks the whole chain done (a state commit may hold
# just that file).
if [ -f cytodiff-v2-pbc7.pt ]; then echo chain finished; exit 0; fi
E=/work/runs/engine-s27
CLI=/work/runs/cli-s27
A="--data pbc7-latent8.cdlpack --autoencoder /work/main/models/autoencoder-pbc96.pt --base-channels 40 --channel-mults 1,2,3,4 --res-blocks 1 --threads 1 --minutes 3000"
export OMP_NUM_THREADS=1
# Run 1 may still be training.
while pgrep -f "train .*--out latent40-pbc7.pt" >/dev/null; do sleep 30; done
# A run whose successor (or, for r4, a card step) has begun has finished, even
# where its own .pt is not on this machine (a state commit holds only the
# run in progress).
successor_begun() {
    case $1 in
        r2) compgen -G "r[34][.-]*" >/dev/null ;;
        r3) compgen -G "r4[.-]*" >/dev/null ;;
        r4) compgen -G "r4-*.pt" >/dev/null ;; # a card step's file (r4-16, r4-cal, r4-prof)
        *) return 1 ;;
    esac
}
run() { # name init steps seed lr extra...
    local n=$1 init=$2 steps=$3 seed=$4 lr=$5; shift 5
    if [ -f $n.pt ] || successor_begun $n; then echo "$n done"; return; fi
    local start
    if [ -f $n.ckpt ]; then start="--resume $n.ckpt"
    elif [ -f $n.compact ]; then start="--resume $n.compact"
    else
        test -f $init || { echo "$n: no $init to start from"; exit 1; }
        start="--init $init"
    fi
    nice -n 2 $E train $A $start --out $n.pt --checkpoint $n.ckpt --compact-checkpoint $n.compact \
        --steps $steps --seed $seed --lr $lr "$@" >> $n.log 2>&1
}
run r2 latent40-pbc7.pt 19395 2 4e-4 --validate-every 3600
run r3 r2.pt 18639 3 3e-4 --validate-every 3600
run r4 r3.pt 7948 4 1e-4 --discriminative 0.05 --validate-every 0
# Each card step is skipped once its file or a later step's exists (a
# state commit holds only the latest file).
made() { for f in "$@"; do [ -f "$f" ] && return 0; done; return 1; }
made r4-16.pt r4-cal.pt r4-prof.pt cytodiff-v2-pbc7.pt || $E store-weights --model r4.pt --out r4-16.pt
made r4-cal.pt r4-prof.pt cytodiff-v2-pbc7.pt || nice -n 2 $CLI calibrate --model r4-16.pt --data pbc7 --per-class 100 --threads 1 --out r4-cal.pt > cal.log 2>&1
made r4-prof.pt cytodiff-v2-pbc7.pt || nice -n 2 $CLI anomaly-profile --model r4-cal.pt --data pbc7 --threads 1 --out r4-prof.pt > prof.log 2>&1
made cytodiff-v2-pbc7.pt || nice -n 2 $CLI domain-reference --model r4-prof.pt --data pbc7 --threads 1 --out cytodiff-v2-pbc7.pt > domref.log 2>&1
echo chain finished
