#pragma once
// "New Turing test": choose the case whose labelled cells are the real
// side, the number of images per class and a name; the model of the
// settings generates the synthetic side in the background (TuringBuildJob)
// with a progress bar and Cancel. Esc or closing also cancels; nothing is
// written unless the build completes.

#include "turingbuildjob.h"

#include <QDialog>
#include <QElapsedTimer>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class TuringBuildDialog : public QDialog {
    Q_OBJECT
public:
    // database: the GUI thread's connection (only read here, for the cases).
    TuringBuildDialog(const db::Database &database, const QString &modelPath, QWidget *parent = nullptr);
    // The model that generates the synthetic cells.
    QString modelPath() const { return m_modelPath; }

    // For tests and scripted use: the form's values.
    void setCase(qint64 caseId);
    void setPerClass(int perClass);
    void setSteps(int steps);
    void setTestName(const QString &name);
    void setSeed(std::uint64_t seed) { m_seed = seed; }

    // Starts the build with the form's values; false (with the reason
    // shown) when it cannot start.
    bool startBuild();
    TuringBuildJob *job() const { return m_job; }
    QPushButton *buildButton() const { return m_buildButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }

    void reject() override;

signals:
    void built(qint64 testId);

private:
    void onProgress(int done, int total, const QString &classId);
    void onFinished(const TuringBuildOutcome &outcome);
    void setBusy(bool busy);

    QString m_workspacePath;
    QString m_modelPath;
    std::uint64_t m_seed;
    TuringBuildJob *m_job = nullptr;
    QElapsedTimer m_clock;
    QComboBox *m_caseCombo = nullptr;
    QSpinBox *m_perClassSpin = nullptr;
    QSpinBox *m_stepsSpin = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QProgressBar *m_bar = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_buildButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace cytodiff::ui
