#include "caselistmodel.h"

#include "counttext.h"
#include "database.h"

#include <QDir>
#include <QIcon>
#include <QLocale>

namespace cytodiff::ui {

CaseListModel::CaseListModel(QObject *parent) : QAbstractTableModel(parent) {}

Result<void> CaseListModel::reload(const db::Database &database)
{
    auto cases = database.listCases();
    beginResetModel();
    if (cases)
        m_cases = std::move(*cases);
    else
        m_cases.clear();
    endResetModel();
    if (!cases)
        return makeError(cases.error());
    return {};
}

void CaseListModel::clear()
{
    beginResetModel();
    m_cases.clear();
    endResetModel();
}

int CaseListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_cases.size());
}

int CaseListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CaseListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_cases.size())
        return {};
    const db::CaseRow &row = m_cases.at(index.row());
    const QDateTime localImport = row.importedAt.toLocalTime();

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case CellsColumn:
            return QLocale().toString(row.cellCount);
        case StatusColumn:
            return row.isSigned() ? tr("Signed") : tr("Open");
        case ImportedColumn:
            // Date only, ISO order so it sorts and reads the same in every
            // locale; the time is in the tooltip.
            return localImport.date().toString(Qt::ISODate);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == NameColumn)
            return QIcon(row.isSigned() ? QStringLiteral(":/icons/case-signed.svg")
                                        : QStringLiteral(":/icons/case.svg"));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == CellsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole: {
        QStringList lines{QStringLiteral("<b>%1</b>").arg(row.name.toHtmlEscaped())};
        if (!row.accession.isEmpty())
            lines << tr("Accession: %1").arg(row.accession.toHtmlEscaped());
        if (!row.patientId.isEmpty())
            lines << tr("Patient: %1").arg(row.patientId.toHtmlEscaped());
        if (!row.slideId.isEmpty())
            lines << tr("Slide: %1").arg(row.slideId.toHtmlEscaped());
        if (!row.specimen.isEmpty())
            lines << tr("Specimen: %1").arg(row.specimen.toHtmlEscaped());
        if (!row.instrument.isEmpty())
            lines << tr("Instrument: %1").arg(row.instrument.toHtmlEscaped());
        lines << tr("%1, %2 labelled").arg(CountText::cells(row.cellCount), QLocale().toString(row.labelledCount));
        lines << tr("Imported %1 from %2")
                     .arg(QLocale().toString(localImport, QLocale::ShortFormat),
                          QDir::toNativeSeparators(row.sourcePath).toHtmlEscaped());
        if (row.isSigned())
            lines << tr("Signed by %1 on %2")
                         .arg(row.signedBy.toHtmlEscaped(),
                              QLocale().toString(row.signedAt.toLocalTime(), QLocale::ShortFormat));
        return lines.join(QStringLiteral("<br>"));
    }
    case CaseIdRole:
        return row.id;
    case SignedRole:
        return row.isSigned();
    case SortRole:
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case CellsColumn:
            return row.cellCount;
        case StatusColumn:
            return row.isSigned() ? 1 : 0;
        case ImportedColumn:
            return row.importedAt;
        }
        break;
    case SearchTextRole:
        return QStringList{row.name, row.accession, row.patientId, row.slideId, row.specimen, row.instrument}.join(
            QLatin1Char(' '));
    default:
        break;
    }
    return {};
}

QVariant CaseListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Case");
        case CellsColumn:
            return tr("Cells");
        case StatusColumn:
            return tr("Status");
        case ImportedColumn:
            return tr("Imported");
        }
    }
    if (role == Qt::TextAlignmentRole && section == CellsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QModelIndex CaseListModel::indexOfCase(qint64 caseId, int column) const
{
    for (int row = 0; row < m_cases.size(); ++row) {
        if (m_cases.at(row).id == caseId)
            return index(row, column);
    }
    return {};
}

qint64 CaseListModel::caseId(const QModelIndex &index) const
{
    const db::CaseRow *row = index.isValid() ? caseAt(index.row()) : nullptr;
    return row ? row->id : 0;
}

const db::CaseRow *CaseListModel::caseAt(int row) const
{
    return (row >= 0 && row < m_cases.size()) ? &m_cases.at(row) : nullptr;
}

qint64 CaseListModel::totalCells() const
{
    qint64 total = 0;
    for (const db::CaseRow &row : m_cases)
        total += row.cellCount;
    return total;
}

} // namespace cytodiff::ui
