#pragma once
// Progress of a DemoCaseJob: a bar, the class being generated, time left,
// and Cancel. Esc or closing the window also cancels; the dialog closes
// itself when the job has finished.

#include <QDialog>
#include <QElapsedTimer>

class QLabel;
class QProgressBar;
class QPushButton;

namespace cytodiff::ui {

class DemoCaseJob;

class DemoCaseDialog : public QDialog {
    Q_OBJECT
public:
    DemoCaseDialog(DemoCaseJob *job, int cellsPerClass, QWidget *parent = nullptr);

    QPushButton *cancelButton() const { return m_cancelButton; }
    void reject() override;

private:
    void onProgress(int done, int total, const QString &classId);
    void requestCancel();

    DemoCaseJob *m_job;
    int m_cellsPerClass;
    QElapsedTimer m_clock;
    QProgressBar *m_bar = nullptr;
    QLabel *m_stepLabel = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace cytodiff::ui
