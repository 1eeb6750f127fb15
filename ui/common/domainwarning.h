#pragma once
// The words of the domain check (core/domain) for the GUI: the banner above
// a case's pages, the sign-off confirmation and the report say the same.

#include "domaincheck.h"

#include <QCoreApplication>
#include <QString>

namespace cytodiff::ui {

class DomainWarning {
    Q_DECLARE_TR_FUNCTIONS(DomainWarning)
public:
    // "cell scale (magnification or crop)", ... in the user's language.
    static QString aspectText(domain::Aspect aspect);
    // Empty when the case is not outside the model's domain.
    static QString text(const domain::DomainVerdict &verdict);
    // What the case normalisation changed before classification; empty
    // when it changed nothing.
    static QString normalisationText(const domain::DomainVerdict &verdict);
};

} // namespace cytodiff::ui
