// Import in the background: cancelling through the job or the progress
// dialog stops the import with whole batches kept and the database
// consistent; failures come back as outcomes; the summary lists skipped
// files in a form the user can copy.

#include "database.h"
#include "importjob.h"
#include "importprogressdialog.h"
#include "importsummarydialog.h"
#include "uitesthelpers.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {
// Enough files that the import is still running when cancel arrives.
constexpr int kManyFiles = 1200;

qint64 cellsInWorkspace(const QString &path)
{
    auto database = db::Database::open(path);
    if (!database)
        return -1;
    auto cases = database->listCases();
    if (!cases)
        return -1;
    qint64 total = 0;
    for (const db::CaseRow &row : *cases)
        total += row.cellCount;
    return total;
}
// An import of folder into workspace, without a domain check.
ImportRequest importOf(const QString &workspace, const QString &folder, const QString &actor = {})
{
    ImportRequest request;
    request.workspacePath = workspace;
    request.folder = folder;
    request.actor = actor;
    return request;
}

} // namespace

class TestImportJob : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_bigExport;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_bigExport = m_dir.filePath(QStringLiteral("big"));
        QVERIFY(uitest::makeClassFolderExport(m_bigExport, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), kManyFiles / 2},
                                                            {QStringLiteral("lymphocyte"), QStringLiteral("LY"), kManyFiles / 2}}));
    }

    void cancelStopsWithConsistentDatabase()
    {
        const QString workspace = m_dir.filePath(QStringLiteral("cancel.cytodiff"));
        QVERIFY(db::Database::open(workspace).ok());
        ImportJob job;
        QSignalSpy progress(&job, &ImportJob::progress);
        QSignalSpy finished(&job, &ImportJob::finished);
        // Cancel as soon as the first progress report arrives.
        connect(&job, &ImportJob::progress, &job, &ImportJob::cancel);
        QVERIFY(job.start(importOf(workspace, m_bigExport, QStringLiteral("tester"))));
        QVERIFY(job.isRunning());
        QVERIFY(!job.start(importOf(workspace, m_bigExport))); // one at a time
        QVERIFY(finished.wait(120000));
        QVERIFY(!job.isRunning());
        QVERIFY(progress.size() >= 1);

        const ImportOutcome outcome = job.outcome();
        QVERIFY2(outcome.ran, qPrintable(outcome.fatalError));
        QVERIFY(outcome.cancelled);
        QVERIFY(outcome.imported < kManyFiles);
        // What the report says was imported is exactly what is stored.
        QCOMPARE(cellsInWorkspace(workspace), outcome.imported);

        // The job can run again; the rest comes in, nothing twice.
        disconnect(&job, &ImportJob::progress, &job, &ImportJob::cancel);
        finished.clear();
        QVERIFY(job.start(importOf(workspace, m_bigExport, QStringLiteral("tester"))));
        QVERIFY(finished.wait(120000));
        QVERIFY(!job.outcome().cancelled);
        QCOMPARE(job.outcome().imported + job.outcome().duplicates, kManyFiles);
        QCOMPARE(cellsInWorkspace(workspace), kManyFiles);
    }

    void progressDialogCancelButton()
    {
        const QString workspace = m_dir.filePath(QStringLiteral("dialog.cytodiff"));
        ImportJob job;
        QVERIFY(job.start(importOf(workspace, m_bigExport, QStringLiteral("tester"))));
        ImportProgressDialog dialog(&job);
        dialog.open();
        QSignalSpy finished(&dialog, &QDialog::finished);
        QVERIFY(dialog.cancelButton()->isEnabled());
        QTest::mouseClick(dialog.cancelButton(), Qt::LeftButton);
        QVERIFY(job.isCancelRequested());
        QVERIFY(!dialog.cancelButton()->isEnabled());
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().toInt(), int(QDialog::Rejected));
        QVERIFY(job.outcome().cancelled);
        QCOMPARE(cellsInWorkspace(workspace), job.outcome().imported);
    }

    void escapeCancelsToo()
    {
        const QString workspace = m_dir.filePath(QStringLiteral("escape.cytodiff"));
        ImportJob job;
        QVERIFY(job.start(importOf(workspace, m_bigExport)));
        ImportProgressDialog dialog(&job);
        dialog.open();
        dialog.reject(); // what Esc and the close button do
        QVERIFY(job.isCancelRequested());
        QVERIFY(dialog.isVisible()); // stays until the worker has stopped
        QSignalSpy finished(&job, &ImportJob::finished);
        QVERIFY(finished.wait(120000));
        QVERIFY(!dialog.isVisible());
    }

    void destroyingARunningJobJoinsIt()
    {
        const QString workspace = m_dir.filePath(QStringLiteral("destroy.cytodiff"));
        {
            ImportJob job;
            QVERIFY(job.start(importOf(workspace, m_bigExport)));
            QTest::qWait(50);
        } // cancels and waits; no crash, no thread left running
        const qint64 cells = cellsInWorkspace(workspace);
        QVERIFY(cells >= 0 && cells <= kManyFiles);
    }

    void missingFolderIsAnOutcomeNotACrash()
    {
        ImportJob job;
        QSignalSpy finished(&job, &ImportJob::finished);
        QVERIFY(job.start(importOf(m_dir.filePath(QStringLiteral("x.cytodiff")),
                                   m_dir.filePath(QStringLiteral("no-such-folder")))));
        QVERIFY(finished.wait(30000));
        QVERIFY(!job.outcome().ran);
        QVERIFY(!job.outcome().fatalError.isEmpty());
    }

    void unwritableWorkspaceIsAnOutcome()
    {
        ImportJob job;
        QSignalSpy finished(&job, &ImportJob::finished);
        QVERIFY(job.start(importOf(m_dir.filePath(QStringLiteral("no/such/dir/x.cytodiff")), m_bigExport)));
        QVERIFY(finished.wait(30000));
        QVERIFY(!job.outcome().ran);
        QVERIFY(!job.outcome().fatalError.isEmpty());
    }

    void summaryListsAndCopiesSkippedFiles()
    {
        ImportOutcome outcome;
        outcome.ran = true;
        outcome.folder = QStringLiteral("/exports/slide-1");
        outcome.imported = 10;
        outcome.duplicates = 2;
        outcome.skipped = 2;
        outcome.issues = {{QStringLiteral("basophil/BA_3.jpg"), QStringLiteral("truncated JPEG")},
                          {QStringLiteral("notes.txt"), QStringLiteral("not an image file")}};
        ImportSummaryDialog dialog(outcome);
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("issueTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("notes.txt"));
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("truncated JPEG"));

        const QString text = ImportSummaryDialog::issuesAsText(outcome.issues);
        QCOMPARE(text, QStringLiteral("File\tReason\nbasophil/BA_3.jpg\ttruncated JPEG\nnotes.txt\tnot an image file\n"));
        auto *copy = dialog.findChild<QPushButton *>(QStringLiteral("copyIssuesButton"));
        QVERIFY(copy);
        copy->click();
        QCOMPARE(QApplication::clipboard()->text(), text);
    }

    void summaryNamesLabelConflicts()
    {
        ImportOutcome outcome;
        outcome.ran = true;
        outcome.folder = QStringLiteral("/exports/slide-2");
        outcome.imported = 31;
        outcome.duplicates = 2;
        outcome.conflicts = {{QStringLiteral("neutrophil/SNE_9.jpg"), QStringLiteral("neutrophil"),
                              QStringLiteral("basophil/BA_1.jpg"), QStringLiteral("basophil"), QString(), false},
                             {QStringLiteral("eosinophil/EO_4.jpg"), QStringLiteral("eosinophil"),
                              QStringLiteral("lymphocyte/LY_2.jpg"), QStringLiteral("lymphocyte"),
                              QStringLiteral("SLIDE-1"), true}};
        ImportSummaryDialog dialog(outcome);
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("conflictTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("neutrophil/SNE_9.jpg"));
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("Neutrophil"));
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("basophil/BA_1.jpg"));
        QCOMPARE(table->item(0, 3)->text(), QStringLiteral("Basophil"));
        QVERIFY(table->item(1, 2)->text().contains(QStringLiteral("SLIDE-1")));
        auto *title = dialog.findChild<QLabel *>(QStringLiteral("conflictTitle"));
        QVERIFY(title && title->text().contains(QStringLiteral("two labels (2)")));

        const QString sentence = ImportSummaryDialog::conflictText(outcome.conflicts.first());
        QCOMPARE(sentence, QStringLiteral("neutrophil/SNE_9.jpg (Neutrophil) is the same image as basophil/BA_1.jpg "
                                          "(Basophil). Kept: Basophil; neutrophil/SNE_9.jpg was not imported."));
        // No skipped files, yet the list can be copied.
        QVERIFY(!dialog.findChild<QTableWidget *>(QStringLiteral("issueTable")));
        auto *copy = dialog.findChild<QPushButton *>(QStringLiteral("copyIssuesButton"));
        QVERIFY(copy);
        copy->click();
        QCOMPARE(QApplication::clipboard()->text(), ImportSummaryDialog::conflictsAsText(outcome.conflicts));
        QVERIFY(QApplication::clipboard()->text().contains(QStringLiteral("neutrophil/SNE_9.jpg\tNeutrophil\t"
                                                                          "basophil/BA_1.jpg\tBasophil")));
    }
};

QTEST_MAIN(TestImportJob)
#include "test_importjob.moc"
