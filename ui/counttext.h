#pragma once
// "1 cell" / "1,012 cells": counts as people write them, with the locale's
// digit grouping. Qt's "%n cell(s)" needs a .qm file even for English, and
// none is built yet (issue "Release quality" adds translations); until then
// singular and plural are separate tr() strings.

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
