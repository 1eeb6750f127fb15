#!/usr/bin/env python3
# Anomaly scores from a diffusion model's error profile, studied on the
# per-cell file of `cytodiff-cli evaluate-anomaly` (cells_diffusion.csv,
# with its error_<class> columns). For choosing a score on validation
# cells only; the test part is measured once, by the application.
#
# The profile of a cell is every class's paired error minus the predicted
# class's (d_k = e_k - e_pred, zero for the predicted class and left out).
# Normal cells called class c have a typical profile: a haematologist's
# lymphocyte is far from a neutrophil and near a large-granular lymphocyte
# in a way an erythroblast called lymphocyte is not. The score is the
# Mahalanobis distance of the profile from the profiles of the *normal*
# cells called c (mean and covariance, shrunk towards its diagonal by
# --shrink). The cells of the left-out class are never fitted on; the
# normal cells are scored out of fold (k-fold over the normal cells), so
# no cell scores against statistics it helped to fit.
#
#   /usr/bin/python3 scripts/anomaly-profile.py DIR/cells_diffusion.csv --left-out erythroblast
# (Debian's python3-numpy)
import argparse
import bisect
import csv
import random

import numpy as np


def auc(pos, neg):
    pos, neg = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def load(path, left_out):
    rows = list(csv.DictReader(open(path)))
    classes = [k[len('error_'):] for k in rows[0] if k.startswith('error_')]
    if not classes:
        raise SystemExit(f'{path} has no error_<class> columns: run a newer cytodiff-cli evaluate-anomaly')
    cells = []
    for r in rows:
        if not r['error_' + classes[0]]:
            continue
        e = np.array([float(r['error_' + c]) for c in classes])
        cells.append({'abnormal': r['truth'] == left_out, 'p': classes.index(r['predicted']), 'e': e,
                      'confidence': float(r['confidence']), 'nfe': float(r['nfe']),
                      'evidence': float(r['evidence']) if r.get('evidence') else 0.0})
    return classes, cells


def profile(cell):
    d = cell['e'] - cell['e'][cell['p']]
    return np.delete(d, cell['p'])


def fit(cells, classes, shrink):
    stats = {}
    for c in range(len(classes)):
        x = np.array([profile(r) for r in cells if r['p'] == c])
        if len(x) < 5:
            continue
        cov = np.cov(x.T)
        cov = (1 - shrink) * cov + shrink * np.diag(np.diag(cov)) + 1e-12 * np.eye(len(cov))
        stats[c] = (x.mean(0), np.linalg.inv(cov))
    return stats


def distance(stats, cell):
    if cell['p'] not in stats:
        return float('inf')  # a class no normal cell was called: atypical by definition
    mean, precision = stats[cell['p']]
    d = profile(cell) - mean
    return float(d @ precision @ d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cells')
    ap.add_argument('--left-out', required=True)
    ap.add_argument('--shrink', type=float, default=0.2)
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    classes, cells = load(a.cells, a.left_out)
    normal = [r for r in cells if not r['abnormal']]
    abnormal = [r for r in cells if r['abnormal']]
    order = list(range(len(normal)))
    random.Random(a.seed).shuffle(order)
    parts = [order[i::a.folds] for i in range(a.folds)]
    normal_score = [0.0] * len(normal)
    abnormal_score = [0.0] * len(abnormal)
    for f in range(a.folds):
        stats = fit([normal[i] for g in range(a.folds) if g != f for i in parts[g]], classes, a.shrink)
        for i in parts[f]:
            normal_score[i] = distance(stats, normal[i])
        for j, r in enumerate(abnormal):
            abnormal_score[j] += distance(stats, r) / a.folds
    print(f'{len(normal)} normal cells, {len(abnormal)} {a.left_out} cells; AUC (higher = the left-out class scores '
          'as more anomalous)')
    print(f"  confidence (low)        {auc([-r['confidence'] for r in abnormal], [-r['confidence'] for r in normal]):.3f}")
    print(f"  evidence (low)          {auc([-r['evidence'] for r in abnormal], [-r['evidence'] for r in normal]):.3f}")
    print(f"  trials spent (NFE)      {auc([r['nfe'] for r in abnormal], [r['nfe'] for r in normal]):.3f}")
    print(f'  profile distance        {auc(abnormal_score, normal_score):.3f}  (shrink {a.shrink}, {a.folds} folds)')
    everything = sorted(normal_score + abnormal_score)
    confidences = sorted(-r['confidence'] for r in normal + abnormal)
    def both(score, cell):
        return (bisect.bisect_left(everything, score) / len(everything)
                + bisect.bisect_left(confidences, -cell['confidence']) / len(confidences))
    print('  profile + confidence    {:.3f}  (sum of ranks)'.format(
        auc([both(s, r) for s, r in zip(abnormal_score, abnormal)],
            [both(s, r) for s, r in zip(normal_score, normal)])))
    print('  by predicted class (profile distance):')
    for c, name in enumerate(classes):
        ab = [s for s, r in zip(abnormal_score, abnormal) if r['p'] == c]
        no = [s for s, r in zip(normal_score, normal) if r['p'] == c]
        if ab and no:
            print(f'    {name:12s} {len(ab):4d} left-out, {len(no):4d} normal: {auc(ab, no):.3f}')


if __name__ == '__main__':
    main()
