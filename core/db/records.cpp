#include "records.h"

#include <utility>

namespace cytodiff::db {

QString identifierProblem(const QString &what, const QString &value)
{
    if (value.size() > kMaxIdentifierLength)
        return QStringLiteral("%1 is longer than %2 characters").arg(what).arg(kMaxIdentifierLength);
    for (const QChar c : value) {
        if (c == QChar::ReplacementCharacter)
            return QStringLiteral("%1 \"%2\" holds a character that could not be decoded (U+FFFD): the file it came "
                                  "from was read with the wrong text encoding; type it again or re-save the file as "
                                  "UTF-8")
                .arg(what, value);
        if (c.category() == QChar::Other_Control)
            return QStringLiteral("%1 holds a control character (U+%2), such as a line break; identifiers are one "
                                  "line of text")
                .arg(what)
                .arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return {};
}

QString identifiersProblem(const CaseIdentifiers &ids)
{
    for (const auto &[what, value] : {std::pair{QStringLiteral("the accession number"), ids.accession},
                                      std::pair{QStringLiteral("the specimen id"), ids.specimen},
                                      std::pair{QStringLiteral("the patient id"), ids.patientId},
                                      std::pair{QStringLiteral("the slide id"), ids.slideId}})
        if (QString problem = identifierProblem(what, value); !problem.isEmpty())
            return problem;
    return {};
}

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
