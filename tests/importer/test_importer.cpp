// Importing export folders into a workspace: every layout lands in the
// database, re-imports add nothing, bad files are skipped and named while
// the rest imports, and a cancel keeps whole batches only.

#include "database.h"
#include "importer.h"
#include "testimages.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <optional>

using namespace cytodiff;
using namespace cytodiff::importer;
using cytodiff::testing::makeCellImage;
using cytodiff::testing::writeBytes;
using cytodiff::testing::writeCellImage;

// Evaluates its argument once.
#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

class TestImporter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::optional<db::Database> m_db;
    int m_seed = 0;
    int m_exports = 0;

    db::Database &db() { return *m_db; }

    static ImportOptions caseNamed(const QString &name)
    {
        ImportOptions options;
        options.caseName = name;
        return options;
    }

    QString makeExport(const QStringList &paths)
    {
        const QString root = m_dir.filePath(QStringLiteral("export%1").arg(++m_exports));
        for (const QString &path : paths)
            writeCellImage(root + QLatin1Char('/') + path, ++m_seed);
        return root;
    }

    int cellCount()
    {
        auto count = db().prepare("SELECT COUNT(*) FROM cells");
        count->step();
        return count->int32(0);
    }

    static QString skippedReason(const ImportReport &report, const QString &path)
    {
        for (const SkippedFile &file : report.skipped) {
            if (file.path == path)
                return file.reason;
        }
        return {};
    }

private slots:
    void init()
    {
        auto opened = db::Database::openInMemory();
        QVERIFY(opened.ok());
        m_db.emplace(std::move(*opened));
    }
    void cleanup() { m_db.reset(); }

    void classFoldersImportLosslesslyWithLabels()
    {
        const QString root = makeExport({QStringLiteral("neutrophil/SNE_1.jpg"), QStringLiteral("neutrophil/BNE_2.jpg"),
                                         QStringLiteral("ig/MY_3.jpg"), QStringLiteral("platelet/PLATELET_4.png"),
                                         QStringLiteral("Unidentified/u_5.bmp")});
        auto report = importFolder(db(), root);
        VERIFY_OK(report);
        QVERIFY(report->completed());
        QCOMPARE(report->layout, Layout::ClassFolders);
        QCOMPARE(report->total, 5);
        QCOMPARE(report->imported, 5);
        QCOMPARE(report->duplicates, 0);
        QVERIFY(report->skipped.isEmpty());
        QCOMPARE(report->perClass.value(QStringLiteral("neutrophil")), 2);
        QCOMPARE(report->perClass.value(QStringLiteral("ig")), 1);
        QCOMPARE(report->perClass.value(QString()), 1);
        QCOMPARE(report->unknownCodes.value(QStringLiteral("Unidentified")), 1);
        QCOMPARE(report->casesCreated, QStringList{QStringLiteral("export%1").arg(m_exports)});

        auto found = db().findCase(QStringLiteral("export%1").arg(m_exports));
        VERIFY_OK(found);
        QCOMPARE(found->cellCount, 5);
        QCOMPARE(found->labelledCount, 4);
        QVERIFY(found->sourcePath.endsWith(QStringLiteral("export%1").arg(m_exports)));
        auto cells = db().cellsOfCase(found->id);
        const db::CellSummary &first = cells->first();
        QCOMPARE(first.width, 48);
        QCOMPARE(first.height, 48);
        // Stored byte for byte: the export folder may be deleted afterwards.
        QFile original(root + QLatin1Char('/') + first.sourcePath);
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(*db().cellImage(first.id), original.readAll());

        auto audit = db().auditLog(QStringLiteral("case"), found->id);
        QCOMPARE(audit->size(), 1);
        QCOMPARE(audit->first().action, QStringLiteral("import"));
        QVERIFY(audit->first().newValue.contains(QStringLiteral("synonym table v")));
    }

    void everyLayoutImports()
    {
        const QString cases = makeExport({QStringLiteral("A/LY/1.jpg"), QStringLiteral("B/EO/2.jpg")});
        auto report = importFolder(db(), cases);
        VERIFY_OK(report);
        QCOMPARE(report->layout, Layout::CaseFolders);
        QCOMPARE(report->casesCreated.size(), 2);
        QCOMPARE(db().findCase(QStringLiteral("B"))->labelledCount, 1);

        const QString flat = makeExport({QStringLiteral("SNE_1.jpg"), QStringLiteral("MYO_0001.tiff")});
        report = importFolder(db(), flat, caseNamed(QStringLiteral("flat case")));
        QCOMPARE(report->layout, Layout::FlatPrefix);
        QCOMPARE(report->imported, 2);
        QCOMPARE(report->perClass.value(QStringLiteral("blast")), 1);
        QCOMPARE(db().findCase(QStringLiteral("flat case"))->cellCount, 2);

        const QString plain = makeExport({QStringLiteral("001.jpg"), QStringLiteral("002.jpg")});
        report = importFolder(db(), plain);
        QCOMPARE(report->layout, Layout::Unlabelled);
        QCOMPARE(report->perClass.value(QString()), 2);

        const QString listed = makeExport({QStringLiteral("img/a.jpg"), QStringLiteral("img/b.jpg")});
        writeBytes(listed + QStringLiteral("/manifest.csv"),
                   "image_path,case_id,slide_id,label_code,x,y\n"
                   "img/a.jpg,M1,BC-77,NGS,1.5,2\n"
                   "img/b.jpg,M1,BC-77,ZZZ,,\n");
        report = importFolder(db(), listed);
        QCOMPARE(report->layout, Layout::Manifest);
        QCOMPARE(report->imported, 2);
        auto manifestCase = db().findCase(QStringLiteral("M1"));
        QCOMPARE(manifestCase->slideId, QStringLiteral("BC-77"));
        auto cells = db().cellsOfCase(manifestCase->id);
        QCOMPARE(cells->at(0).labelClass, QStringLiteral("neutrophil"));
        QCOMPARE(cells->at(0).x, std::optional<double>(1.5));
        QCOMPARE(cells->at(1).rawCode, QStringLiteral("ZZZ"));
        QVERIFY(cells->at(1).unknownCode);
    }

    void reimportAddsNothing()
    {
        const QString root = makeExport({QStringLiteral("EO/1.jpg"), QStringLiteral("EO/2.jpg"),
                                         QStringLiteral("BA/3.jpg")});
        VERIFY_OK(importFolder(db(), root));
        auto again = importFolder(db(), root);
        VERIFY_OK(again);
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->duplicates, 3);
        QVERIFY(again->casesCreated.isEmpty());
        // Under another case name too: one image is one cell.
        auto renamed = importFolder(db(), root, caseNamed(QStringLiteral("other name")));
        QCOMPARE(renamed->imported, 0);
        QVERIFY(!db().findCase(QStringLiteral("other name")).ok()); // no empty case left behind
        QCOMPARE(cellCount(), 3);
    }

    void identicalFilesInOneExportCountOnce()
    {
        const QString root = makeExport({QStringLiteral("EO/1.jpg")});
        QFile::copy(root + QStringLiteral("/EO/1.jpg"), root + QStringLiteral("/EO/copy.jpg"));
        auto report = importFolder(db(), root);
        QCOMPARE(report->imported, 1);
        QCOMPARE(report->duplicates, 1);
        QVERIFY(report->labelConflicts.isEmpty()); // same label: a plain duplicate
    }

    void sameImageUnderTwoLabelsIsNamedAsAConflict()
    {
        const QString root = makeExport({QStringLiteral("basophil/BA_1.jpg"), QStringLiteral("neutrophil/SNE_2.jpg")});
        // The neutrophil folder holds the basophil's image too.
        QVERIFY(QFile::copy(root + QStringLiteral("/basophil/BA_1.jpg"), root + QStringLiteral("/neutrophil/SNE_9.jpg")));
        auto report = importFolder(db(), root);
        VERIFY_OK(report);
        QCOMPARE(report->imported, 2);
        QCOMPARE(report->duplicates, 1);
        QCOMPARE(report->labelConflicts.size(), 1);
        const LabelConflict conflict = report->labelConflicts.first();
        QCOMPARE(conflict.path, QStringLiteral("neutrophil/SNE_9.jpg"));
        QCOMPARE(conflict.label, QStringLiteral("neutrophil"));
        QCOMPARE(conflict.keptPath, QStringLiteral("basophil/BA_1.jpg"));
        QCOMPARE(conflict.keptLabel, QStringLiteral("basophil"));
        QVERIFY(!conflict.keptInWorkspace);
        const QString line = describeConflict(conflict);
        QVERIFY2(line.contains(QStringLiteral("neutrophil/SNE_9.jpg (neutrophil)")), qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("basophil/BA_1.jpg (basophil)")), qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("kept: basophil")), qPrintable(line));
        // The workspace holds the image once, with the first copy's label.
        auto found = db().findCase(QStringLiteral("export%1").arg(m_exports));
        VERIFY_OK(found);
        QCOMPARE(found->cellCount, 2);

        // The same image in a later export under a third label: the
        // conflict names the cell already in the workspace.
        const QString later = m_dir.filePath(QStringLiteral("later"));
        QVERIFY(QFile(root + QStringLiteral("/basophil/BA_1.jpg")).exists());
        QVERIFY(QDir().mkpath(later + QStringLiteral("/eosinophil")));
        QVERIFY(QFile::copy(root + QStringLiteral("/basophil/BA_1.jpg"), later + QStringLiteral("/eosinophil/EO_1.jpg")));
        auto again = importFolder(db(), later);
        VERIFY_OK(again);
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->duplicates, 1);
        QCOMPARE(again->labelConflicts.size(), 1);
        const LabelConflict &workspace = again->labelConflicts.first();
        QCOMPARE(workspace.path, QStringLiteral("eosinophil/EO_1.jpg"));
        QCOMPARE(workspace.label, QStringLiteral("eosinophil"));
        QVERIFY(workspace.keptInWorkspace);
        QCOMPARE(workspace.keptPath, QStringLiteral("basophil/BA_1.jpg"));
        QCOMPARE(workspace.keptLabel, QStringLiteral("basophil"));
        QCOMPARE(workspace.keptCase, QStringLiteral("export%1").arg(m_exports));
        QVERIFY(describeConflict(workspace).contains(QStringLiteral("already in the workspace")));

        // An unlabelled copy contradicts nothing.
        const QString unlabelled = m_dir.filePath(QStringLiteral("unlabelled"));
        QVERIFY(QDir().mkpath(unlabelled));
        QVERIFY(QFile::copy(root + QStringLiteral("/neutrophil/SNE_2.jpg"), unlabelled + QStringLiteral("/cell.jpg")));
        auto plain = importFolder(db(), unlabelled);
        VERIFY_OK(plain);
        QCOMPARE(plain->duplicates, 1);
        QVERIFY(plain->labelConflicts.isEmpty());
    }

    void badFilesAreSkippedAndNamedWhileGoodOnesImport()
    {
        const QString root = makeExport({QStringLiteral("neutrophil/good1.jpg"), QStringLiteral("neutrophil/good2.png")});
        const QByteArray jpeg = makeCellImage(500, ".jpg", 64, 64);
        writeBytes(root + QStringLiteral("/neutrophil/empty.jpg"), QByteArray());
        writeBytes(root + QStringLiteral("/neutrophil/text.jpg"), "this is a text file, not a JPEG");
        writeBytes(root + QStringLiteral("/neutrophil/truncated.jpg"), jpeg.left(jpeg.size() / 2));
        QByteArray corrupt = jpeg.left(20) + QByteArray(200, '\x11') + QByteArray("\xFF\xD9", 2);
        writeBytes(root + QStringLiteral("/neutrophil/corrupt.jpg"), corrupt);
        writeBytes(root + QStringLiteral("/neutrophil/readme.txt"), "notes");
        writeBytes(root + QStringLiteral("/neutrophil/tiny.png"), makeCellImage(501, ".png", 8, 8));

        auto report = importFolder(db(), root);
        VERIFY_OK(report);
        QVERIFY(report->completed());
        QCOMPARE(report->imported, 2);
        QCOMPARE(report->skipped.size(), 6);
        QCOMPARE(skippedReason(*report, QStringLiteral("neutrophil/empty.jpg")), QStringLiteral("empty file"));
        QVERIFY(skippedReason(*report, QStringLiteral("neutrophil/text.jpg")).contains(QStringLiteral("not an image")));
        QVERIFY(skippedReason(*report, QStringLiteral("neutrophil/truncated.jpg")).contains(QStringLiteral("truncated JPEG")));
        QVERIFY(!skippedReason(*report, QStringLiteral("neutrophil/corrupt.jpg")).isEmpty());
        QVERIFY(skippedReason(*report, QStringLiteral("neutrophil/readme.txt")).contains(QStringLiteral("not an image")));
        QVERIFY(skippedReason(*report, QStringLiteral("neutrophil/tiny.png")).contains(QStringLiteral("too small")));
        QCOMPARE(cellCount(), 2);
    }

    void cancelKeepsWholeBatchesOnly()
    {
        QStringList paths;
        for (int i = 0; i < 12; ++i)
            paths.append(QStringLiteral("LY/%1.jpg").arg(i, 2, 10, QLatin1Char('0')));
        const QString root = makeExport(paths);

        ImportOptions options;
        options.batchSize = 5;
        std::atomic<bool> cancel{false};
        int lastDone = 0;
        ImportCallbacks callbacks;
        callbacks.cancelFlag = &cancel;
        callbacks.progress = [&](int done, int total, const QString &) {
            QCOMPARE(total, 12);
            QVERIFY(done > lastDone);
            lastDone = done;
            if (done == 7) // in the middle of the second batch
                cancel = true;
        };
        auto report = importFolder(db(), root, options, callbacks);
        VERIFY_OK(report);
        QVERIFY(report->cancelled);
        QVERIFY(!report->completed());
        QCOMPARE(report->imported, 5);
        QCOMPARE(report->perClass.value(QStringLiteral("lymphocyte")), 5);
        QCOMPARE(cellCount(), 5);
        QCOMPARE(db().findCase(QStringLiteral("export%1").arg(m_exports))->cellCount, 5);
        QVERIFY(db().auditLog(QStringLiteral("case"), 1)->first().newValue.contains(QStringLiteral("cancelled")));

        // Running it again completes the rest.
        auto rest = importFolder(db(), root, options);
        QCOMPARE(rest->imported, 7);
        QCOMPARE(rest->duplicates, 5);
        QCOMPARE(cellCount(), 12);
    }

    void cancelBeforeTheFirstBatchCreatesNothing()
    {
        const QString root = makeExport({QStringLiteral("LY/1.jpg")});
        ImportCallbacks callbacks;
        callbacks.isCancelled = [] { return true; };
        auto report = importFolder(db(), root, {}, callbacks);
        QVERIFY(report->cancelled);
        QCOMPARE(report->imported, 0);
        QVERIFY(report->casesCreated.isEmpty());
        QCOMPARE(db().listCases()->size(), 0);
    }

    void signedCaseReceivesNoCells()
    {
        const QString first = makeExport({QStringLiteral("LY/1.jpg")});
        VERIFY_OK(importFolder(db(), first, caseNamed(QStringLiteral("S"))));
        VERIFY_OK(db().signCase(db().findCase(QStringLiteral("S"))->id, QStringLiteral("dr s")));
        const QString second = makeExport({QStringLiteral("LY/2.jpg")});
        auto report = importFolder(db(), second, caseNamed(QStringLiteral("S")));
        VERIFY_OK(report);
        QCOMPARE(report->imported, 0);
        QCOMPARE(report->skipped.size(), 1);
        QVERIFY(report->skipped.first().reason.contains(QStringLiteral("signed")));
    }

    void identifiersArriveExactlyOrNotAtAll()
    {
        // Issue 24: the manifest's identifiers, Windows-1252 as a spreadsheet
        // saves it, land on the case unchanged ...
        const QString listed = makeExport({QStringLiteral("a.jpg"), QStringLiteral("b.jpg"), QStringLiteral("c.jpg")});
        writeBytes(listed + QStringLiteral("/manifest.csv"),
                   QByteArray("image_path;case_id;accession_number;specimen_id;patient_id;slide_id\r\n"
                              "a.jpg;K1;A-100;S-1;M\xfcller 7;SL 9\r\n"
                              "b.jpg;K1;A-100;;;\r\n"
                              "c.jpg;K2;;;;\r\n"));
        auto report = importFolder(db(), listed);
        VERIFY_OK(report);
        QCOMPARE(report->imported, 3);
        const db::CaseIdentifiers k1{QStringLiteral("A-100"), QStringLiteral("S-1"), QStringLiteral("Müller 7"),
                                     QStringLiteral("SL 9")};
        QCOMPARE(db().findCase(QStringLiteral("K1"))->identifiers(), k1);
        QCOMPARE(db().findCase(QStringLiteral("K2"))->identifiers(), db::CaseIdentifiers{});

        // ... two accession numbers in one case import nothing ...
        const QString clash = makeExport({QStringLiteral("d.jpg"), QStringLiteral("e.jpg")});
        writeBytes(clash + QStringLiteral("/manifest.csv"),
                   QByteArray("image_path,case_id,accession\nd.jpg,K3,A-1\ne.jpg,K3,A-2\n"));
        auto refused = importFolder(db(), clash);
        QVERIFY(!refused.ok());
        QVERIFY(QString::fromStdString(refused.error()).contains(QStringLiteral("'A-1' on line 2 and 'A-2' on line 3")));
        QVERIFY(!db().findCase(QStringLiteral("K3")).ok());

        // ... cells for an existing case under another accession number are
        // refused (they may be another patient's), the rest imports ...
        const QString more = makeExport({QStringLiteral("f.jpg"), QStringLiteral("g.jpg")});
        writeBytes(more + QStringLiteral("/manifest.csv"),
                   QByteArray("image_path,case_id,accession\nf.jpg,K1,A-999\ng.jpg,K4,A-4\n"));
        report = importFolder(db(), more);
        VERIFY_OK(report);
        QCOMPARE(report->imported, 1);
        QVERIFY(skippedReason(*report, QStringLiteral("f.jpg")).contains(QStringLiteral("another patient")));
        QCOMPARE(db().findCase(QStringLiteral("K1"))->cellCount, 2);
        QCOMPARE(db().findCase(QStringLiteral("K4"))->accession, QStringLiteral("A-4"));

        // ... and identifiers typed for an import go to its one case, unless
        // the export says otherwise.
        ImportOptions typed = caseNamed(QStringLiteral("K5"));
        typed.identifiers.accession = QStringLiteral("A-5");
        typed.identifiers.patientId = QStringLiteral("P 5");
        VERIFY_OK(importFolder(db(), makeExport({QStringLiteral("LY/h.jpg")}), typed));
        QCOMPARE(db().findCase(QStringLiteral("K5"))->accession, QStringLiteral("A-5"));
        QCOMPARE(db().findCase(QStringLiteral("K5"))->patientId, QStringLiteral("P 5"));
        const QString twoCases = makeExport({QStringLiteral("X/LY/i.jpg"), QStringLiteral("Y/LY/j.jpg")});
        QVERIFY(!importFolder(db(), twoCases, typed).ok());
        const QString given = makeExport({QStringLiteral("k.jpg")});
        writeBytes(given + QStringLiteral("/manifest.csv"), QByteArray("image_path,case_id,accession\nk.jpg,K6,A-6\n"));
        ImportOptions other;
        other.identifiers.accession = QStringLiteral("A-7");
        auto differs = importFolder(db(), given, other);
        QVERIFY(!differs.ok());
        QVERIFY(QString::fromStdString(differs.error()).contains(QStringLiteral("differs from the export's")));
        QCOMPARE(cellCount(), 5); // a, b, c, g, h
    }

    void readOnlyWorkspaceRefusesTheImport()
    {
        const QString path = m_dir.filePath(QStringLiteral("newer.cytodiff"));
        {
            auto file = db::Database::open(path);
            VERIFY_OK(file);
            VERIFY_OK(file->execScript("PRAGMA user_version = 999"));
        }
        auto newer = db::Database::open(path);
        VERIFY_OK(newer);
        auto report = importFolder(*newer, makeExport({QStringLiteral("LY/1.jpg")}));
        QVERIFY(!report.ok());
        QVERIFY(QString::fromStdString(report.error()).contains(QStringLiteral("newer CytoDiff")));
    }

    void singleThreadGivesTheSameResult()
    {
        const QString root = makeExport({QStringLiteral("EO/1.jpg"), QStringLiteral("EO/2.jpg"),
                                         QStringLiteral("EO/3.jpg")});
        ImportOptions options;
        options.threads = 1;
        options.batchSize = 2;
        auto report = importFolder(db(), root, options);
        QCOMPARE(report->imported, 3);
        QCOMPARE(cellCount(), 3);
    }
};

QTEST_GUILESS_MAIN(TestImporter)
#include "test_importer.moc"
