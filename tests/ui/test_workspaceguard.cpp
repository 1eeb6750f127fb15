// Issue 19's data loss, replayed through the window: the import dialog and
// the import job run on the folder that holds the open workspace while
// cytodiff-cli opens, writes and closes the same workspace again and
// again; and a workspace that will not open at start-up is never silently
// replaced by another one.

#include "appsettings.h"
#include "database.h"
#include "importoutcome.h"
#include "lockprobe.h"
#include "mainwindow.h"
#include "uitesthelpers.h"
#include "workspacebackup.h"

#include <QApplication>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

using namespace cytodiff;
using namespace cytodiff::ui;
using cytodiff::testing::anotherProcessSeesLock;
using cytodiff::testing::rawText;

namespace {

// Presses the named button of the next modal dialog (polling, since
// exec() runs its own event loop); records the dialog's text labels.
void pressWhenShown(const QString &buttonName, QStringList *texts = nullptr)
{
    auto *timer = new QTimer;
    QObject::connect(timer, &QTimer::timeout, timer, [timer, buttonName, texts] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal)
            return;
        auto *button = modal->findChild<QPushButton *>(buttonName);
        if (!button) {
            // A message box: its only (default) button.
            if (auto *box = qobject_cast<QMessageBox *>(modal); box && buttonName.isEmpty())
                button = qobject_cast<QPushButton *>(box->defaultButton() ? box->defaultButton() : box->buttons().value(0));
        }
        if (!button)
            return;
        if (texts) {
            for (QLabel *label : modal->findChildren<QLabel *>())
                texts->append(label->text());
        }
        timer->stop();
        timer->deleteLater();
        button->click();
    });
    timer->start(50);
}

} // namespace

class TestWorkspaceGuard : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_workspaceguard"));
    }

    void init() { AppSettings::setClassifyAfterImport(false); }

    void importFromTheWorkspaceFolderWhileTheCliWrites()
    {
        QTemporaryDir dir;
        // The export and the workspace in one folder, as in the field test.
        const QString folder = dir.filePath(QStringLiteral("slide-77"));
        constexpr int kCells = 24;
        QVERIFY(uitest::makeClassFolderExport(folder, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), kCells / 2},
                                                      {QStringLiteral("lymphocyte"), QStringLiteral("LY"), kCells / 2}}));
        const QString workspace = folder + QStringLiteral("/lab.cytodiff");

        auto window = std::make_unique<MainWindow>();
        window->setShowImportSummary(false);
        window->show();
        QVERIFY(window->openWorkspace(workspace).ok());
        QVERIFY(window->database()->addLabeller(QStringLiteral("app-0"), 5).ok());
        QVERIFY(anotherProcessSeesLock(workspace));

        // Qt's own folder dialog on that folder (what File > Import...
        // shows without a desktop's native dialog): its model opens every
        // file to guess its type.
        {
            // Not the window's child: it lives on this stack frame.
            QFileDialog dialog(nullptr, QStringLiteral("Import"), folder);
            dialog.setOption(QFileDialog::DontUseNativeDialog);
            dialog.setFileMode(QFileDialog::Directory);
            dialog.show();
            QTest::qWait(1500);
            dialog.selectFile(workspace);
            QTest::qWait(500);
        }
        QVERIFY2(anotherProcessSeesLock(workspace), "the file dialog dropped the workspace's locks");

        // The CLI opens, writes and closes the workspace again and again
        // while this window imports the folder and writes too.
        QSignalSpy finished(window.get(), &MainWindow::importFinished);
        QVERIFY(window->startImport(folder));
        constexpr int kCliRuns = 6;
        for (int i = 1; i <= kCliRuns; ++i) {
            QProcess cli;
            cli.start(QStringLiteral(CYTODIFF_CLI_PATH),
                      {QStringLiteral("labellers"), QStringLiteral("--db"), workspace, QStringLiteral("--add"),
                       QStringLiteral("cli-%1").arg(i), QStringLiteral("--years"), QStringLiteral("3")});
            QVERIFY(cli.waitForFinished(60000));
            QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
            QVERIFY(window->database()->addLabeller(QStringLiteral("app-%1").arg(i), 5).ok());
            QVERIFY(anotherProcessSeesLock(workspace));
        }
        QVERIFY(finished.size() == 1 || finished.wait(60000));
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QVERIFY2(outcome.ran, qPrintable(outcome.fatalError));
        QCOMPARE(outcome.imported, qint64(kCells));
        // The workspace's own files are not cells and not "skipped" either.
        QCOMPARE(outcome.skipped, qint64(0));

        // What this window writes is seen by another process, and the
        // other process's writes by this window: one file, not two.
        QVERIFY(window->database()->addLabeller(QStringLiteral("app-last"), 5).ok());
        QCOMPARE(rawText(workspace, "SELECT COUNT(*) FROM labellers WHERE name = 'app-last'"), QStringLiteral("1"));
        auto labellers = window->database()->listLabellers();
        QVERIFY(labellers.ok());
        QCOMPARE(labellers->size(), 2 * kCliRuns + 2);

        window.reset();
        QCOMPARE(rawText(workspace, "PRAGMA integrity_check"), QStringLiteral("ok"));
        QCOMPARE(rawText(workspace, "SELECT COUNT(*) FROM labellers"), QString::number(2 * kCliRuns + 2));
        QCOMPARE(rawText(workspace, "SELECT COUNT(*) FROM cells"), QString::number(kCells));
    }

    void unopenableWorkspaceIsRestoredFromItsBackup()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("lab.cytodiff"));
        {
            auto db = db::Database::open(workspace);
            QVERIFY(db.ok());
            QVERIFY(db->createCase({QStringLiteral("CASE-SIGNED"), {}, {}, {}, {}, {}, {}}).ok());
            QVERIFY(db::ensureDailyBackup(*db).ok());
        }
        {
            QFile file(workspace);
            QVERIFY(file.open(QIODevice::ReadWrite));
            file.write(QByteArray(100, 'x')); // the header overwritten
        }
        const QString fallback = dir.filePath(QStringLiteral("default.cytodiff"));

        MainWindow window;
        window.show();
        QStringList texts;
        pressWhenShown(QStringLiteral("restoreBackupButton"), &texts);
        QTimer::singleShot(300, [] { pressWhenShown({}); }); // "Workspace restored"
        window.openWorkspaceAtStartup(workspace, true, fallback);
        QVERIFY(texts.join(QLatin1Char(' ')).contains(QStringLiteral("could not be opened")));
        QCOMPARE(window.workspacePath(), QFileInfo(workspace).absoluteFilePath());
        auto cases = window.database()->listCases();
        QVERIFY(cases.ok());
        QCOMPARE(cases->size(), 1);
        QCOMPARE(cases->first().name, QStringLiteral("CASE-SIGNED"));
        QVERIFY(!QFileInfo::exists(fallback)); // the default was never touched
        const QStringList kept = QDir(dir.path()).entryList({QStringLiteral("lab.cytodiff.unopenable-*")});
        QVERIFY(!kept.isEmpty());
    }

    void unopenableWorkspaceWithoutBackupIsNotReplaced()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("gone.cytodiff"));
        const QString fallback = dir.filePath(QStringLiteral("default.cytodiff"));
        MainWindow window;
        window.show();
        QStringList texts;
        pressWhenShown(QStringLiteral("noWorkspaceButton"), &texts);
        window.openWorkspaceAtStartup(workspace, true, fallback);
        QVERIFY(texts.join(QLatin1Char(' ')).contains(QStringLiteral("no longer exists")));
        QVERIFY(window.workspacePath().isEmpty());
        QVERIFY(!QFileInfo::exists(workspace)); // not re-created empty
        QVERIFY(!QFileInfo::exists(fallback));

        // Choosing the default is the user's decision, and then it opens.
        MainWindow second;
        second.show();
        pressWhenShown(QStringLiteral("openDefaultButton"));
        second.openWorkspaceAtStartup(workspace, true, fallback);
        QCOMPARE(second.workspacePath(), QFileInfo(fallback).absoluteFilePath());
    }
};

QTEST_MAIN(TestWorkspaceGuard)
#include "test_workspaceguard.moc"
