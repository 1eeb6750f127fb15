#pragma once
// Metacognition reports (paper sections 1.3 and 3.7): how well an
// observer's confidence predicts its correctness, as a Bayesian
// psychometric fit plus the calibration summaries clinicians read. Shared
// by `cytodiff-cli metacognition` and the GUI's Reports window, so both
// show the same numbers and the same plots.

#include "calibration.h"
#include "chart.h"
#include "psychometric.h"
#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::studies {

// One signal/response pairing: e.g. "model confidence vs model
// correctness" or "expert A: consensus expert confidence vs A's
// correctness".
struct ObserverSeries {
    QString observer;  // "model", or the labeller's name
    QString signal;    // "model confidence" or "expert confidence"
    std::vector<double> confidence;
    std::vector<bool> correct;
    bool rescale = true; // min-max rescale to [0, 1] (model confidence)
    // Workspace model series: per case, whether a second opinion differs
    // from the prediction (empty: no second opinions stored).
    std::vector<bool> secondOpinionDiffers;
};

struct ObserverResult {
    ObserverSeries series;        // after rescaling
    evaluation::PsychometricData binned;
    evaluation::PsychometricFit fit;
    evaluation::CalibrationSummary calibration;
    // The queue with the cells where the second opinion differs first
    // (empty without second opinions).
    std::vector<evaluation::QueueShare> secondOpinionQueue;
    evaluation::Chart chart;
    QString plotName;              // file name for the PNG
};

struct MetacognitionReport {
    std::vector<ObserverResult> observers;
    QJsonObject json;
    QString markdown;
};

// Queue shares as JSON objects, and as the table cell
// "44% [30, 59] / 76% [63, 89] / 88% [75, 96]".
QJsonArray queueSharesJson(const std::vector<evaluation::QueueShare> &queue);
QString queueSharesText(const std::vector<evaluation::QueueShare> &queue);

// bins <= 0: 25, or 12 for sets under 500 cases (the paper's choice).
MetacognitionReport buildMetacognitionReport(const QString &title, const std::vector<ObserverSeries> &series,
                                             int numClasses, int bins);

// From a workspace: cells with a reference label (cells.label_class) and
// the latest prediction of modelId (empty: of any model) give "model
// confidence vs model correctness"; expert labels (the labels table) give,
// per labeller, "model confidence vs expert correctness" and "consensus
// expert confidence vs expert correctness" (confidence High/Moderate/Low/No
// = 1, 2/3, 1/3, 0, averaged over the cell's labellers).
struct WorkspaceObservers {
    std::vector<ObserverSeries> series;
    int numClasses = 0;   // distinct reference and predicted classes
    QString modelId;      // the model whose predictions were used
};
Result<WorkspaceObservers> workspaceObservers(const db::Database &database, const QString &modelId = {});

} // namespace cytodiff::studies
