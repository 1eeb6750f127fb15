#pragma once
// Right-hand panel: the selected cell at a readable size with its
// provenance (file, export code, size, SHA-256). The review workflow adds
// the prediction and per-class score bars below the existing sections.

#include "records.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QStackedWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CellDetailsPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kImageSide = 256;

    explicit CellDetailsPanel(QWidget *parent = nullptr);

    // Not owned; the GUI thread's connection. nullptr clears the panel.
    void setDatabase(const db::Database *database);

    // Shows one cell; reads its image bytes from the database (one image,
    // a few milliseconds, so on the GUI thread).
    void showCell(const db::CellSummary &cell);
    void clear();

    qint64 cellId() const { return m_cellId; }
    // For tests and for copying: the values shown, by field name.
    QString fieldText(const QString &field) const;

private:
    QLabel *addField(QFormLayout *form, const QString &name, const QString &label);

    const db::Database *m_database = nullptr;
    qint64 m_cellId = 0;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_image = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_prediction = nullptr;
    QHash<QString, QLabel *> m_fields;
};

} // namespace cytodiff::ui
