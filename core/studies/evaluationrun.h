#pragma once
// What the evaluation studies share (the evaluate-* commands and anything
// else that scores a model on labelled cells): the labelled cells to score
// (a folder or a .cdpack, with the training split), the classification
// loop (with an optional synthetic shift) and the per-cell outcomes, the
// accuracy summary, and the per-cell CSV that `metacognition` reads.

#include "engine.h"
#include "result.h"
#include "trainingdata.h"

#include <QDir>
#include <QList>
#include <QString>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace cytodiff::studies {

struct EvalItem {
    QString name;      // file name (the split hashes it)
    QString path;      // folder source
    QString className; // canonical class of the data
    engine::Split split = engine::Split::Train;
    int packIndex = -1; // .cdpack source
};

// A labelled folder (<root>/<class>/<image>) or a .cdpack file, with the
// same class-stratified split the trainers use.
class EvalSource {
public:
    static Result<EvalSource> open(const QString &data);
    // Cells already in memory (the efficiency study's loaded data).
    static EvalSource fromTrainingData(std::shared_ptr<const engine::TrainingData> data);
    const QList<EvalItem> &items() const { return m_items; }
    QStringList classNames() const;
    // The network input for a model: decoded, cropped and resized (folder),
    // or the packed pixels (which must be at the model's resolution). With
    // `seed` (the base seed on entry): the cell's seed by the classification
    // service's rule, from the image file's bytes, or from a packed cell's
    // pixels since its file is not at hand.
    Result<FloatImage> image(const EvalItem &item, const engine::ModelCard &card, std::uint64_t *seed = nullptr) const;

private:
    QList<EvalItem> m_items;
    std::shared_ptr<const engine::TrainingData> m_pack;
};

// "all", "train", "validation", "test".
bool isSplitName(const QString &split);
bool inSplit(const EvalItem &item, const QString &split);

// At most perClass items of each class from `split` (0 = all), in the
// source's order (so the choice is stable).
QList<EvalItem> selectItems(const QList<EvalItem> &items, const QString &split, int perClass,
                            const std::function<bool(const EvalItem &)> &keep = {});

struct CellOutcome {
    QString name;
    QString truth;      // data class (after any class map)
    int truthIndex = -1; // model class index; -1 = not a class of the model
    int predicted = -1;
    double confidence = 0;
    double anomaly = 0; // the engine's (-zeta; a CNN's -confidence)
    // The score the review queue reads (CellCall::anomaly): the card's
    // error-profile score when it has one, else the engine's.
    double reviewAnomaly = 0;
    // The review queue's score margin (display probability of the predicted
    // class minus the best other, in [0, 1]), to choose its threshold.
    double margin = 0;
    // The predicted class's mean weighted error (diffusion; lower = the
    // image is better explained by its best class), or -confidence.
    double bestError = 0;
    // The null class's error minus the predicted class's (diffusion, when
    // asked for; NaN otherwise): how much better the best class explains
    // the image than "any cell" does.
    double nullGain = std::numeric_limits<double>::quiet_NaN();
    int nfe = 0;
    // The classifier's paired evidence (ClassifyResult::evidence; NaN for a CNN).
    double evidence = std::numeric_limits<double>::quiet_NaN();
    // Every class's paired mean error (diffusion; the model's class order),
    // so score choices can be studied from the CSV; empty for a CNN.
    std::vector<double> classErrors;
    // The review queue's decision with default thresholds (and the second
    // opinion when one was given), as `classify` and the GUI make it.
    bool inReview = false;
    QString reviewReason; // empty when not queued
    QString secondOpinion; // the second model's class; empty: none
    bool correct() const { return truthIndex >= 0 && predicted == truthIndex; }
    // A wrong call the queue does not show: the clinical risk.
    bool silentError() const { return truthIndex >= 0 && !correct() && !inReview; }
};

using StopFn = std::function<bool()>;

// What classifyItems reports as it goes (either may be empty): a cell it
// skipped, with the reason, and the running count after each cell.
struct ItemProgress {
    std::function<void(const QString &message)> skipped;
    std::function<void(int done, int total, int correct)> classified;
};

// The network input of the index-th item for a model, with its seed (the
// base seed on entry) by the classification service's rule.
using InputFn = std::function<Result<FloatImage>(int index, const engine::ModelCard &card, std::uint64_t *seed)>;
// Items' inputs straight from a source (no shift, no normalisation).
InputFn sourceInputs(const EvalSource &source, const QList<EvalItem> &items);

// Classifies items one by one; truthOf maps a data class to the model's
// class index (-1 = none). Unreadable images are reported and skipped.
// With secondOpinion, that model also calls every cell (its input from the
// same InputFn) and its call joins the review decision, as in the GUI.
// Without anomalyProfiles the calls carry the engine's anomaly score
// whatever the card holds: for fitting a new profile, which must not
// depend on (or fail with) the card's old one.
std::vector<CellOutcome> classifyItems(const engine::Model &model, const InputFn &inputs, const QList<EvalItem> &items,
                                       const std::function<int(const QString &)> &truthOf,
                                       const engine::ClassifyOptions &options, std::uint64_t seed, const StopFn &stop,
                                       const ItemProgress &progress, double *seconds = nullptr,
                                       const engine::Model *secondOpinion = nullptr, bool anomalyProfiles = true);

// What `calibrate` fits class offsets on: every class's mean weighted
// error for each cell, on the same paired trials (no pruning) and without
// any offsets the model may already carry. Unreadable images are reported
// through progress.skipped and left out.
struct UnprunedErrors {
    std::vector<std::vector<double>> errors; // [cell][class]
    std::vector<int> labels;                 // the cell's model class
};
UnprunedErrors scoreUnpruned(const engine::Model &model, const EvalSource &source, const QList<EvalItem> &items,
                             int trials, std::uint64_t seed, const StopFn &stop, const ItemProgress &progress);

// Accuracy figures over the outcomes whose truth is a model class.
struct AccuracySummary {
    std::vector<std::string> classes;        // the model's classes
    std::vector<std::vector<int>> confusion; // [truth][predicted]
    long long nfe = 0;
    int cells = 0;
    int queued = 0;        // cells the review queue shows
    int silentErrors = 0;  // wrong and not in the queue
    double queueShare() const { return cells ? double(queued) / cells : 0.0; }
    double silentErrorRate() const { return cells ? double(silentErrors) / cells : 0.0; }
    int total(int truth) const;
    double accuracy() const;
    double recall(int c) const; // -1 when the class has no cells
    double balancedAccuracy() const;
};
AccuracySummary summarise(const std::vector<std::string> &classes, const std::vector<CellOutcome> &outcomes);

// name,truth,predicted,correct,confidence,anomaly,nfe,margin,best_error,null_gain,
// second_opinion,review,review_reason (null_gain empty when not measured)
bool writeOutcomesCsv(const QString &path, const std::vector<CellOutcome> &outcomes,
                      const std::vector<std::string> &classes);

struct CsvOutcome {
    QString name, truth, predicted;
    bool correct = false;
    double confidence = 0;
    double anomaly = 0;
};
Result<std::vector<CsvOutcome>> readOutcomesCsv(const QString &path);

// "data_class,model_class" per line ('#' comments; '=' or a tab also
// separate; an empty or '-' model class drops the data class).
Result<std::map<QString, QString>> readClassMap(const QString &path);

double mean(const std::vector<double> &values);
double standardDeviation(const std::vector<double> &values); // sample SD; 0 for n < 2
QString percent(double value);

} // namespace cytodiff::studies
