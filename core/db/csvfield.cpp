#include "csvfield.h"

#include <algorithm>

namespace cytodiff::db {

QString csvField(const QString &value, CsvFormulas formulas)
{
    QString field = value;
    if (formulas == CsvFormulas::Escape && !field.isEmpty() && QStringLiteral("=+-@").contains(field.front()))
        field.prepend(QLatin1Char('\''));
    static const QString special = QStringLiteral(",\"\r\n");
    const bool needsQuotes = std::any_of(field.cbegin(), field.cend(), [](QChar c) { return special.contains(c); })
                             || (!field.isEmpty() && (field.front().isSpace() || field.back().isSpace()));
    if (!needsQuotes)
        return field;
    field.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + field + QLatin1Char('"');
}

QString imrmcId(const QString &value)
{
    QString id = value;
    for (QChar &c : id)
        if (c == QLatin1Char(',') || c.isSpace() || c == QLatin1Char(';'))
            c = QLatin1Char('_');
    if (id.isEmpty() || id == QLatin1String("-1") || id == QLatin1String("truth"))
        id = QStringLiteral("id_") + id;
    return id;
}

} // namespace cytodiff::db
