#pragma once
// "1 cell" / "1,012 cells": counts as people write them, with the locale's
// digit grouping (%Ln). Plural forms come from the translation, as each
// language has its own rules (French: "0 cellule"); English too, from the
// plural-only translations/cytodiff_en.ts that TranslationLoader installs.

#include <QCoreApplication>
#include <QString>

namespace cytodiff::ui {

class CountText {
    Q_DECLARE_TR_FUNCTIONS(CountText)
public:
    static QString cells(qint64 count);
    static QString cases(qint64 count);
    static QString selectedCells(qint64 count);
    static QString seconds(qint64 count);
};

} // namespace cytodiff::ui
