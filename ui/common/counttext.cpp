#include "counttext.h"

#include <algorithm>
#include <limits>

namespace cytodiff::ui {

// Counts beyond int are not shown anywhere (a workspace holds far fewer
// cells); clamp rather than wrap.
namespace {
int asInt(qint64 count)
{
    return int(std::clamp<qint64>(count, 0, std::numeric_limits<int>::max()));
}
} // namespace

QString CountText::cells(qint64 count)
{
    return tr("%Ln cell(s)", nullptr, asInt(count));
}

QString CountText::cases(qint64 count)
{
    return tr("%Ln case(s)", nullptr, asInt(count));
}

QString CountText::selectedCells(qint64 count)
{
    return tr("%Ln cell(s) selected", nullptr, asInt(count));
}

QString CountText::seconds(qint64 count)
{
    return tr("%Ln second(s)", nullptr, asInt(count));
}

} // namespace cytodiff::ui
