#!/bin/bash
# Issue 20 item 2's comparison CNN (section 2's last paragraph): the
# erythroblast-free CNN96 with the same budget as the item-1 CNN, started
# on the core the latent chain (chain.sh) frees. Runs in
# /work/runs/cnn96-noery; resumable (rerun to go on from its checkpoint, or
# from a restored compact checkpoint on a fresh machine). From session 29
# it is the only trainer, so it takes both cores (1.7 s a step).
cd /work/runs/cnn96-noery
while pgrep -f "/chain.sh" >/dev/null; do sleep 60; done
start=""
if [ -f baseline96-pbc7.pt.ckpt ]; then start="--resume baseline96-pbc7.pt.ckpt"
elif [ -f baseline96-pbc7.compact ]; then start="--resume baseline96-pbc7.compact"
elif [ -f baseline96-pbc7.pt ]; then echo done; exit 0
fi
OMP_NUM_THREADS=2 exec nice -n 2 /work/runs/cli-s29 train-baseline --data /work/runs/pbc96.cdpack --resolution 96 --crop 224 \
    --exclude-class erythroblast --out baseline96-pbc7.pt --compact-checkpoint baseline96-pbc7.compact $start \
    --steps 8000 --minutes 3000 --threads 2 --seed 1 --validate-every 3600 >> train.log 2>&1
