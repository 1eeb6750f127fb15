#pragma once
// Column lists and row readers shared by the Database's source files, so a
// table is read the same way everywhere. Internal to core/db.

#include "records.h"
#include "statement.h"

#include <string_view>

namespace cytodiff::db {

inline constexpr std::string_view kPredictionColumns =
    "SELECT p.id, p.cell_id, p.model_id, p.predicted_class, p.confidence, p.anomaly, p.scores, "
    "p.nfe, p.created_at FROM predictions p ";

// A row of kPredictionColumns.
PredictionRow readPrediction(const Statement &s);

} // namespace cytodiff::db
