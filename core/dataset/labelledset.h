#pragma once
// Labelled image sets for training and evaluation: a folder per class
// (<root>/<class>/<image>), a packed .cdpack file, or a case database.

#include "result.h"
#include "trainingdata.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::dataset {

struct LabelledImage {
    QString path;
    QString name;      // file name only: the split is chosen by its hash
    QString className; // canonical class id
};

// <root>/<class folder>/<image>; folder names are mapped through the
// synonym table (unknown folder names are kept as they are).
Result<QList<LabelledImage>> scanLabelledFolder(const QString &root);

using LoadProgressFn = std::function<void(int done, int total)>;

// Decodes, crops and resizes every image; unreadable files are skipped and
// listed in `skipped` as "path: reason".
Result<engine::TrainingData> buildTrainingData(const QList<LabelledImage> &images, int resolution, int cropSize,
                                               const LoadProgressFn &progress, QStringList *skipped);

// Which labels a workspace database provides: the imported/reviewed class
// of each cell (cells.label_class), or the experts' consensus label
// (majority vote of the labelling sessions, ties to the most experienced).
enum class LabelSource { Import, Consensus };

// --data argument: a folder, a .cdpack file or a workspace database.
Result<engine::TrainingData> loadTrainingData(const QString &data, int resolution, int cropSize,
                                              const LoadProgressFn &progress, QStringList *skipped,
                                              LabelSource labels = LabelSource::Import);

// The training cells of one repeat of the low-data study: perClass cells
// per class drawn at random; validation and test cells are kept, and a
// class with fewer cells keeps all. The draw depends only on (seed,
// perClass, repeat), so a study split over several runs trains on the same
// cells.
engine::TrainingData efficiencySubset(const engine::TrainingData &data, int perClass, int repeat, std::uint64_t seed);

struct CellLabel {
    qint64 cellId = 0;
    QString className;
};

// The consensus label of every cell with an expert answer.
Result<QList<CellLabel>> consensusLabels(const db::Database &database);

// Reads the listed cells' images from the workspace; names are
// "cell-<id>", so the stratified split is stable per cell.
Result<engine::TrainingData> buildTrainingDataFromCells(const db::Database &database, const QList<CellLabel> &cells,
                                                        int resolution, int cropSize, const LoadProgressFn &progress,
                                                        QStringList *skipped);

} // namespace cytodiff::dataset
