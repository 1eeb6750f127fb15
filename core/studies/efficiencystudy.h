#pragma once
// The low-data efficiency study (paper section 3.10, Figure 4), without the
// command line: for each training-set size, resample that many training
// cells per class (seeded, per repeat), train every model kind on the same
// subset with the same budget (the comparison is paired), and measure
// balanced accuracy on the same test cells. A study spans sessions: each
// model's result is recorded in results/ (small, committable), finished
// models in models/ are reused and a stopped model continues from its
// checkpoint (resume).

#include "engine.h"
#include "evaluationrun.h"
#include "networkconfig.h"
#include "result.h"
#include "trainer.h"
#include "trainingdata.h"

#include <QDir>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace cytodiff::studies {

// One model kind of the study: "diffusion" or "baseline" and its network.
struct EfficiencyRole {
    QString name;
    bool baseline = false;
    engine::NetworkConfig network;
};

struct EfficiencyOptions {
    std::vector<int> perClass;   // training cells per class, one per size
    std::vector<double> budget;  // per size: minutes (byMinutes) or steps
    bool byMinutes = false;
    int repeats = 3;
    std::vector<EfficiencyRole> roles;
    int batchSize = engine::TrainOptions{}.batchSize;
    double learningRate = engine::TrainOptions{}.learningRate;
    int validationCells = 64;    // after training, to fit the error scale
    engine::ClassifyOptions classify;
    std::uint64_t seed = 0;
    bool resume = false;         // reuse recorded results, models, checkpoints
    bool recordedOnly = false;   // train and measure nothing (implies resume)
    QDir dir;                    // holds models/ and results/
};

// One size and model kind: a value per repeat measured (or recorded) so far.
struct EfficiencyMeasurement {
    int perClass = 0;
    double budget = 0;
    QString role;
    std::vector<double> balancedAccuracy;
    std::vector<double> trainSeconds;
    QStringList modelSha256;
};

using NoticeFn = std::function<void(const QString &message)>;

struct EfficiencyCallbacks {
    NoticeFn notice;                                            // what it trains, reuses, skips
    std::function<ItemProgress(const QString &label)> testing;  // per model's test cells
    engine::CancelFn stop;
};

// Runs the study on data's test items; the models, checkpoints and results
// go under options.dir (models/ and results/ must exist). Measurements come
// size by size, roles in options' order. Fails when a model cannot be
// trained or loaded, or when stopped ("cancelled").
Result<std::vector<EfficiencyMeasurement>> runEfficiencyStudy(std::shared_ptr<const engine::TrainingData> data,
                                                              const QList<EvalItem> &testItems,
                                                              const EfficiencyOptions &options,
                                                              const EfficiencyCallbacks &callbacks);

} // namespace cytodiff::studies
