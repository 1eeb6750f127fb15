#pragma once
// K-fold cross-validated predictions for the label audit (the paper trained
// 3 models so that every labelled image got a prediction from a model that
// never saw it). Cells with a consensus label are split into K folds by a
// hash of their id; the common subset (labelled by everyone) always trains
// and is never predicted, as in the paper. Each held-out prediction is
// stored through the classification service with model id
// "crossval:<run>:fold<i>of<K>:<model id>", so it never mixes with a
// shipped model's calls.

#include "engine.h"
#include "result.h"
#include "trainer.h"

#include <QString>

#include <functional>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::studies {

struct CrossvalOptions {
    int folds = 3;
    // The training budget per fold and its network (resolution, crop,
    // batch, width, seed; the seed grows by the fold number).
    engine::TrainOptions train;
    int cropSize = 288;
    QString modelsDir; // where the fold models are written (must exist)
    QString run;       // the run's name in the model ids (a UTC timestamp)
    int trialsMax = -1; // the classifier's trial cap (-1: fast protocol)
};

struct CrossvalSummary {
    int stored = 0; // predictions written
};

using CrossvalNoticeFn = std::function<void(const QString &message)>;

// Needs a writable workspace with consensus labels.
Result<CrossvalSummary> runCrossvalPredictions(db::Database &database, const CrossvalOptions &options,
                                               const CrossvalNoticeFn &notice = {});

} // namespace cytodiff::studies
