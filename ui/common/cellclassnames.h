#pragma once
// How a canonical class id ("immature_granulocyte") is shown to the user
// ("Immature granulocyte"), translatable. Unknown ids (codes kept verbatim
// from an export) are shown as they are, so nothing is hidden or renamed.

#include <QCoreApplication>
#include <QString>

namespace cytodiff::ui {

class CellClassNames {
    Q_DECLARE_TR_FUNCTIONS(CellClassNames)
public:
    static QString displayName(const QString &classId);
};

} // namespace cytodiff::ui
