#pragma once
// Dialogs of the labelling module: labeller profiles, a new session, the
// list of sessions to continue, and the label audit. Each works on the GUI
// thread's connection; the short writes they make need no worker.

#include "labellingrecords.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTableWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class LabellersDialog : public QDialog {
    Q_OBJECT
public:
    explicit LabellersDialog(db::Database *database, QWidget *parent = nullptr);
    // Adds (or finds) a labeller; shows the error in the dialog.
    bool addLabeller(const QString &name, int years);

private:
    void reload();
    void addFromFields();
    void saveRow(int row);

    db::Database *m_database = nullptr;
    QTableWidget *m_table = nullptr;
    QLineEdit *m_name = nullptr;
    QSpinBox *m_years = nullptr;
    QLabel *m_message = nullptr;
    bool m_loading = false;
};

class NewSessionDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewSessionDialog(db::Database *database, QWidget *parent = nullptr);

    // Plans and stores the session from the fields; the id, or 0 with the
    // reason in errorText().
    qint64 createSession(quint64 seed);
    QString errorText() const { return m_error; }

    // Field access for tests and the screenshot tool. A class id that is
    // not offered yet gets its own check box.
    void setLabeller(qint64 labellerId);
    void setCases(const QList<qint64> &caseIds);
    void setSize(int size);
    void setCommonSize(int size);
    void setClasses(const QStringList &classes);
    void setSessionName(const QString &name);
    // The checked classes, in the order of their keys.
    QStringList classes() const;
    // Cells of the checked cases.
    int availableCells() const;

    void accept() override;
    qint64 createdSessionId() const { return m_created; }

private:
    void reload();
    void addClassBox(const QString &classId, bool checked);
    // Shows the cells the checked cases hold and, until the user changes
    // them, fits the session and subset sizes to that number.
    void updateAvailable();

    db::Database *m_database = nullptr;
    QComboBox *m_labeller = nullptr;
    QLineEdit *m_name = nullptr;
    QListWidget *m_cases = nullptr;
    QLabel *m_available = nullptr;
    QSpinBox *m_size = nullptr;
    QSpinBox *m_common = nullptr;
    QLabel *m_commonNote = nullptr;
    QGridLayout *m_classGrid = nullptr;
    QList<QCheckBox *> m_classBoxes;
    QLabel *m_message = nullptr;
    QString m_error;
    qint64 m_created = 0;
    int m_existingCommon = 0;
    bool m_sizeEdited = false;
    bool m_commonEdited = false;
    bool m_applyingDefaults = false;
};

class SessionListDialog : public QDialog {
    Q_OBJECT
public:
    explicit SessionListDialog(db::Database *database, QWidget *parent = nullptr);
    qint64 selectedSessionId() const;

private:
    db::Database *m_database = nullptr;
    QTableWidget *m_table = nullptr;
};

class AuditDialog : public QDialog {
    Q_OBJECT
public:
    explicit AuditDialog(db::Database *database, QWidget *parent = nullptr);

private:
    void reload();
    void queue();
    void resolve();

    db::Database *m_database = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace cytodiff::ui
