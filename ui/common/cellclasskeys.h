#pragma once
// One key per class for reclassifying in review (users.md: "one key per
// class, arrow-key navigation and auto-advance"). Digits for the common
// white cells in the order of a manual differential counter, letters for
// the rest. The legend in the queue is generated from this table, so what
// is shown is always what works.

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace cytodiff::ui {

struct ClassKey {
    QString classId; // canonical id
    int key = 0;     // Qt::Key
    QString keyText; // as shown: "1", "V"
};

class CellClassKeys {
    Q_DECLARE_TR_FUNCTIONS(CellClassKeys)
public:
    static const QList<ClassKey> &all();
    // The class of a key press (no modifiers), or empty.
    static QString classForKey(int key);
    static QString keyText(const QString &classId);
    // "Confirm the class shown" keys (Space, Enter).
    static bool isConfirmKey(int key);
};

} // namespace cytodiff::ui
