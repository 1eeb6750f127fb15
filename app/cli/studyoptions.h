#pragma once
// The command-line side of the evaluation studies (core/studies): the
// estimator's options, what a study opens from its options before the first
// cell, and the progress line on a terminal.

#include "engine.h"
#include "evaluationrun.h"

#include <QCommandLineParser>
#include <QDir>
#include <QList>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace cytodiff::cli {

// What the model-comparing studies (evaluate-anomaly, evaluate-shift) open
// before their first cell: the report folder (--out), the intra-op thread
// count (--threads) and the data (--data). Errors are already written to
// standard error when it returns nothing.
struct StudyInputs {
    QDir dir;
    studies::EvalSource source;
};
std::optional<StudyInputs> openStudyInputs(const QCommandLineParser &parser);

// What the commands that fit part of a model's card on labelled cells
// (calibrate, anomaly-profile) open first: the model (--model), the data
// (--data) and its cells of the model's classes in the --split part, at
// most perClass each (0 = all); classes the model lacks are named on
// standard error and left out. Sets the thread count (--threads). Errors
// are already written to standard error when it returns an exit code.
struct CardFitInputs {
    engine::Model model;
    studies::EvalSource source;
    QList<studies::EvalItem> cells;
};
std::variant<CardFitInputs, int> openCardFitInputs(const QCommandLineParser &parser, int perClass);

// The end of those commands: "wrote F / sha256 H" on standard output, or
// the error on standard error; false on an error.
bool reportWrittenModel(const Result<std::string> &sha, const QString &target);

// (role, path): the diffusion model (--model), then the baseline
// (--baseline) when given.
QList<std::pair<QString, QString>> studyModels(const QCommandLineParser &parser);

// The estimator's options (protocol, trials, pruning, time range,
// weighting), shared by every command that classifies.
void addEstimatorOptions(QCommandLineParser &parser);
engine::ClassifyOptions estimatorOptionsFrom(const QCommandLineParser &parser);
// The estimator's options plus --threads and --seed, for the evaluate-*
// commands (classify takes those two with its model options); read them
// back with estimatorOptionsFrom.
void addClassifyOptions(QCommandLineParser &parser);

// A card's error profile set its threshold on calls made with the
// application's protocol; a study that classifies otherwise measures an
// Unidentified share the product would not show (other trials or views), or
// scores without the profile at all (another protocol, time range or
// weighting: classify::profileUse). Says which on standard error, once per
// model; silent for a model without a profile or with its protocol.
void noteProfileProtocol(const engine::Model &model, const engine::ClassifyOptions &options);

// --bf16: the denoising network on a bfloat16 copy (a measurement, not what
// the app does); applyNetworkPrecision sets it on a loaded model.
QCommandLineOption bf16Option();
Result<void> applyNetworkPrecision(const QCommandLineParser &parser, engine::Model &model);


// Skipped cells on standard error, and on a terminal a running
// "label done/total  correct n" line.
studies::ItemProgress terminalProgress(const QString &label);

} // namespace cytodiff::cli
