#include "loincmap.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cytodiff::lis {

LoincMap LoincMap::defaults()
{
    LoincMap map;
    map.set(QStringLiteral("neutrophil"), {QStringLiteral("26511-2"), QStringLiteral("Neutrophils/100 leukocytes in Blood")});
    map.set(QStringLiteral("lymphocyte"), {QStringLiteral("26478-8"), QStringLiteral("Lymphocytes/100 leukocytes in Blood")});
    map.set(QStringLiteral("monocyte"), {QStringLiteral("26485-3"), QStringLiteral("Monocytes/100 leukocytes in Blood")});
    map.set(QStringLiteral("eosinophil"), {QStringLiteral("26450-7"), QStringLiteral("Eosinophils/100 leukocytes in Blood")});
    map.set(QStringLiteral("basophil"), {QStringLiteral("30180-4"), QStringLiteral("Basophils/100 leukocytes in Blood")});
    map.set(QStringLiteral("blast"), {QStringLiteral("26446-5"), QStringLiteral("Blasts/100 leukocytes in Blood")});
    map.set(QStringLiteral("ig"),
            {QStringLiteral("38518-7"), QStringLiteral("Immature granulocytes/100 leukocytes in Blood")});
    // Non-white: reported per 100 white cells.
    map.set(QStringLiteral("erythroblast"),
            {QStringLiteral("19048-8"), QStringLiteral("Nucleated erythrocytes/100 leukocytes in Blood")});
    return map;
}

Result<LoincMap> LoincMap::fromJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (!document.isObject())
        return makeError("the LOINC map is not a JSON object: " + error.errorString().toStdString());
    static const QRegularExpression pattern(QStringLiteral("^[0-9]{1,7}-[0-9]$"));
    LoincMap map;
    const QJsonObject object = document.object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QString code = entry.value(QStringLiteral("code")).toString();
        if (!pattern.match(code).hasMatch())
            return makeError("the LOINC map gives '" + it.key().toStdString() + "' the code '" + code.toStdString() +
                             "', which is not a LOINC code (digits, a dash, a check digit)");
        map.set(it.key(), {code, entry.value(QStringLiteral("display")).toString()});
    }
    return map;
}

QByteArray LoincMap::toJson() const
{
    QJsonObject object;
    for (auto it = m_codes.constBegin(); it != m_codes.constEnd(); ++it)
        object.insert(it.key(), QJsonObject{{QStringLiteral("code"), it->code}, {QStringLiteral("display"), it->display}});
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

std::optional<LoincCode> LoincMap::find(const QString &classId) const
{
    const auto it = m_codes.constFind(classId);
    if (it == m_codes.cend())
        return std::nullopt;
    return *it;
}

} // namespace cytodiff::lis
