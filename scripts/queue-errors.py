#!/usr/bin/env python3
# How many of the diffusion model's errors the application's review queue
# holds, with and without the second opinion: the rules of
# ui/reviewpriority.cpp (default thresholds) applied to the per-cell files
# of `cytodiff-cli evaluate` for the diffusion model and the baseline.
# Groups: Unidentified (anomaly > 0), Critical (predicted ig, erythroblast,
# blast; the imported label is not in these files), second opinion differs,
# Uncertain (margin < 0.7), Confident (not queued); each group by margin.
#
# Second part: a cell type neither model was trained on (the anomaly
# study's per-cell files, erythroblast left out of both models): how many
# of those cells, and of the known cells, the queue holds.
#
#   python3 scripts/queue-errors.py    (from the repository root)
import csv
def load(p): return {r['name']: r for r in csv.DictReader(open(p))}
CRIT = {'ig', 'erythroblast', 'blast', 'immature_granulocyte'}
def grouper(dif, base, second):
    def group(n):
        r = dif[n]
        if float(r['anomaly']) > 0: return 0
        if r['predicted'] in CRIT: return 1
        if second and base[n]['predicted'] != r['predicted']: return 2
        if float(r['margin']) < 0.7: return 3
        return 4
    return group
def run(dif, base, label, second=True):
    names = [n for n in dif if n in base]
    group = grouper(dif, base, second)
    order = sorted(names, key=lambda n: (group(n), float(dif[n]['margin'])))
    errs = sum(dif[n]['correct'] == '0' for n in names)
    inq = sum(group(n) < 4 for n in names)
    out = [label, 'second' if second else 'plain', f'queue {inq}/{len(names)} ({inq/len(names):.1%})']
    for f in (0.05, 0.10, 0.20):
        k = -(-len(names) * f // 1)
        k = int(k)
        out.append(f'{f:.0%}: {sum(dif[n]["correct"]=="0" for n in order[:k])/errs:.1%}')
    out.append(f'errors in queue {sum(dif[n]["correct"]=="0" and group(n)<4 for n in names)}/{errs}')
    print(*out)
for lab, d, b in [('validation', 'docs/evaluation/validation-diffusion/cells.csv', 'docs/evaluation/validation-baseline/cells.csv'),
                  ('test', 'docs/evaluation/test-diffusion/cells.csv', 'docs/evaluation/test-baseline/cells.csv')]:
    for s in (False, True):
        run(load(d), load(b), lab, s)
def unseen(dif, base, label, second, left_out='erythroblast'):
    names = [n for n in dif if n in base]
    group = grouper(dif, base, second)
    out = [label, 'second' if second else 'plain']
    for part, cells in (('unseen', [n for n in names if dif[n]['truth'] == left_out]),
                        ('known', [n for n in names if dif[n]['truth'] != left_out])):
        queued = sum(group(n) < 4 for n in cells)
        out.append(f'{part} queued {queued}/{len(cells)} ({queued/len(cells):.1%})')
    print(*out)
for lab, d in [('anomaly 40 px', 'docs/evaluation/anomaly'), ('anomaly 64 px', 'docs/evaluation/anomaly-64')]:
    for s in (False, True):
        unseen(load(d + '/cells_diffusion.csv'), load(d + '/cells_baseline.csv'), lab, s)
