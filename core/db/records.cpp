#include "records.h"

namespace cytodiff::db {

QString labelConfidenceName(LabelConfidence confidence)
{
    switch (confidence) {
    case LabelConfidence::High:
        return QStringLiteral("High");
    case LabelConfidence::Moderate:
        return QStringLiteral("Moderate");
    case LabelConfidence::Low:
        return QStringLiteral("Low");
    case LabelConfidence::No:
        break;
    }
    return QStringLiteral("No");
}

std::optional<LabelConfidence> labelConfidenceFromName(const QString &text)
{
    for (LabelConfidence c : {LabelConfidence::High, LabelConfidence::Moderate, LabelConfidence::Low,
                              LabelConfidence::No}) {
        if (text.compare(labelConfidenceName(c), Qt::CaseInsensitive) == 0)
            return c;
    }
    return std::nullopt;
}

} // namespace cytodiff::db
