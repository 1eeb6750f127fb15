#include "counttext.h"

#include <QLocale>

namespace cytodiff::ui {

namespace {
QString number(qint64 count)
{
    return QLocale().toString(count);
}
} // namespace

QString CountText::cells(qint64 count)
{
    return count == 1 ? tr("1 cell") : tr("%1 cells").arg(number(count));
}

QString CountText::cases(qint64 count)
{
    return count == 1 ? tr("1 case") : tr("%1 cases").arg(number(count));
}

QString CountText::selectedCells(qint64 count)
{
    return count == 1 ? tr("1 cell selected") : tr("%1 cells selected").arg(number(count));
}

QString CountText::seconds(qint64 count)
{
    return count == 1 ? tr("1 second") : tr("%1 seconds").arg(number(count));
}

} // namespace cytodiff::ui
