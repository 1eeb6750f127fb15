#include "labelledcellcursor.h"

namespace cytodiff::db {

Result<bool> LabelledCellCursor::next(LabelledCell &cell)
{
    auto row = m_statement.step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return false;
    cell.cellId = m_statement.int64(0);
    cell.caseId = m_statement.int64(1);
    cell.caseName = m_statement.text(2);
    cell.labelClass = m_statement.text(3);
    cell.image = m_withImages ? m_statement.blob(4) : QByteArray();
    return true;
}

} // namespace cytodiff::db
