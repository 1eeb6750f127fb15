#pragma once
// Streams labelled cells one at a time so that a training pack of 100,000
// images never holds them all in memory. Must not outlive its Database.

#include "records.h"
#include "result.h"
#include "statement.h"

namespace cytodiff::db {

class LabelledCellCursor {
public:
    explicit LabelledCellCursor(Statement statement, bool withImages)
        : m_statement(std::move(statement)), m_withImages(withImages) {}

    // true: `cell` holds the next row; false: no more rows.
    Result<bool> next(LabelledCell &cell);

private:
    Statement m_statement;
    bool m_withImages = true;
};

} // namespace cytodiff::db
