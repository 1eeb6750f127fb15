#include "cellclasskeys.h"

namespace cytodiff::ui {

const QList<ClassKey> &CellClassKeys::all()
{
    static const QList<ClassKey> keys = {
        {QStringLiteral("neutrophil"), Qt::Key_1, QStringLiteral("1")},
        {QStringLiteral("lymphocyte"), Qt::Key_2, QStringLiteral("2")},
        {QStringLiteral("monocyte"), Qt::Key_3, QStringLiteral("3")},
        {QStringLiteral("eosinophil"), Qt::Key_4, QStringLiteral("4")},
        {QStringLiteral("basophil"), Qt::Key_5, QStringLiteral("5")},
        {QStringLiteral("ig"), Qt::Key_6, QStringLiteral("6")},
        {QStringLiteral("blast"), Qt::Key_7, QStringLiteral("7")},
        {QStringLiteral("erythroblast"), Qt::Key_8, QStringLiteral("8")},
        {QStringLiteral("platelet"), Qt::Key_9, QStringLiteral("9")},
        {QStringLiteral("variant_lymphocyte"), Qt::Key_V, QStringLiteral("V")},
        {QStringLiteral("smudge"), Qt::Key_S, QStringLiteral("S")},
        {QStringLiteral("artefact"), Qt::Key_A, QStringLiteral("A")},
    };
    return keys;
}

QString CellClassKeys::classForKey(int key)
{
    for (const ClassKey &entry : all()) {
        if (entry.key == key)
            return entry.classId;
    }
    return {};
}

QString CellClassKeys::keyText(const QString &classId)
{
    for (const ClassKey &entry : all()) {
        if (entry.classId == classId)
            return entry.keyText;
    }
    return {};
}

bool CellClassKeys::isConfirmKey(int key)
{
    return key == Qt::Key_Space || key == Qt::Key_Return || key == Qt::Key_Enter;
}

} // namespace cytodiff::ui
