#pragma once
// Shows an ImportJob's progress: a bar, "n of N files", rate and time
// left, the file being read, and Cancel. Closing the dialog (Esc, the
// window's close button) also cancels, so an import never keeps running
// unseen. The dialog closes itself when the job finishes.

#include <QDialog>
#include <QElapsedTimer>

class QLabel;
class QProgressBar;
class QPushButton;

namespace cytodiff::ui {

class ImportJob;
struct ImportOutcome;

class ImportProgressDialog : public QDialog {
    Q_OBJECT
public:
    ImportProgressDialog(ImportJob *job, QWidget *parent = nullptr);

    QPushButton *cancelButton() const { return m_cancelButton; }

    void reject() override; // Esc / close = cancel the import

private:
    void onProgress(qint64 done, qint64 total, const QString &currentFile);
    void onFinished();
    void requestCancel();

    ImportJob *m_job;
    QElapsedTimer m_clock;
    QLabel *m_countLabel = nullptr;
    QLabel *m_fileLabel = nullptr;
    QProgressBar *m_bar = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace cytodiff::ui
