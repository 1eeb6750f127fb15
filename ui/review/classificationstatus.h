#pragma once
// The status-bar strip of a running classification: "Classifying <case>",
// a progress bar, cells per second and time left, and a cancel button.
// Hidden while nothing runs. Reads only the job's signals.

#include <QWidget>

#include <functional>

class QLabel;
class QProgressBar;
class QToolButton;

namespace cytodiff::ui {

class ClassificationJob;
struct ClassificationOutcome;

class ClassificationStatus : public QWidget {
    Q_OBJECT
public:
    explicit ClassificationStatus(QWidget *parent = nullptr);

    // Not owned; nullptr detaches.
    void setJob(ClassificationJob *job);
    // How cases are named in the strip (the window knows the names).
    void setCaseNamer(std::function<QString(qint64)> namer) { m_caseNamer = std::move(namer); }

    QString text() const;
    QProgressBar *progressBar() const { return m_bar; }
    QToolButton *cancelButton() const { return m_cancel; }

    // "1:05 left", "12 s left"; exposed for tests.
    static QString etaText(double seconds);

private:
    void onStarted(qint64 caseId, int total, int alreadyDone);
    void onProgress(qint64 caseId, int done, int total, double cellsPerSecond, double etaSeconds);
    void onFinished();

    ClassificationJob *m_job = nullptr;
    std::function<QString(qint64)> m_caseNamer;
    QLabel *m_label = nullptr;
    QProgressBar *m_bar = nullptr;
    QToolButton *m_cancel = nullptr;
};

} // namespace cytodiff::ui
