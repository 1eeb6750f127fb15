// cytodiff-cli import / cases / cells / export: exit codes (0 ok, 1 bad
// input, 2 usage) and what they print, on a workspace in a temp folder.

#include "inprocesscli.h"
#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "testimages.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using cytodiff::testing::writeBytes;
using cytodiff::testing::writeCellImage;

class TestDbCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    QString m_export;
    testing::InProcessCli m_cli;

    using Output = testing::CliOutput;

    // Runs a command as "cytodiff-cli <name> <args>" would.
    Output run(int (*command)(const QStringList &), const QString &name, QStringList args)
    {
        return m_cli.run(command, name, args);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cli.start());
        m_db = m_dir.filePath(QStringLiteral("ws.cytodiff"));
        m_export = m_dir.filePath(QStringLiteral("Slide 1"));
        int seed = 0;
        for (const char *path : {"neutrophil/SNE_1.jpg", "neutrophil/SNE_2.jpg", "ig/MY_3.jpg", "platelet/PLT_4.png",
                                 "Unidentified/x_5.jpg"})
            QVERIFY(writeCellImage(m_export + QLatin1Char('/') + QString::fromLatin1(path), ++seed));
        writeBytes(m_export + QStringLiteral("/neutrophil/empty.jpg"), QByteArray());
        writeBytes(m_export + QStringLiteral("/neutrophil/notes.txt"), "hello");
    }

    void importPrintsASummary()
    {
        const Output result = run(cli::runImport, QStringLiteral("import"),
                                  {m_export, QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Imported:   5 new cells")), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("Duplicates: 0")));
        QVERIFY(result.out.contains(QStringLiteral("Skipped:    2")));
        QVERIFY(result.out.contains(QStringLiteral("empty.jpg: empty file")));
        QVERIFY(result.out.contains(QStringLiteral("notes.txt: not an image")));
        QVERIFY(result.out.contains(QStringLiteral("New cases:  Slide 1")));
        QVERIFY(result.out.contains(QStringLiteral("Unknown codes (kept verbatim, flagged, no class): Unidentified 1")));
        QVERIFY(result.err.isEmpty()); // no progress bar without a terminal
    }

    void secondImportAddsNothing()
    {
        const Output result = run(cli::runImport, QStringLiteral("import"),
                                  {m_export, QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY(result.out.contains(QStringLiteral("Imported:   0 new cells")));
        QVERIFY(result.out.contains(QStringLiteral("Duplicates: 5")));
    }

    void importNamesALabelConflict()
    {
        // Slide 1's first neutrophil, exported again as an eosinophil.
        const QString other = m_dir.filePath(QStringLiteral("Slide 2"));
        QVERIFY(QDir().mkpath(other + QStringLiteral("/eosinophil")));
        QVERIFY(QFile::copy(m_export + QStringLiteral("/neutrophil/SNE_1.jpg"), other + QStringLiteral("/eosinophil/EO_9.jpg")));
        const Output result = run(cli::runImport, QStringLiteral("import"), {other, QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Duplicates: 1")), qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("Label conflicts: 1")), qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("eosinophil/EO_9.jpg (eosinophil) is the same image as "
                                                    "neutrophil/SNE_1.jpg (neutrophil), already in the workspace "
                                                    "(case 'Slide 1'); kept: neutrophil")),
                 qPrintable(result.out));
    }

    void importUsageAndInputErrors()
    {
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {}).code, 2);
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {QStringLiteral("a"), QStringLiteral("b")}).code, 2);
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {m_export, QStringLiteral("--bogus")}).code, 2);
        QCOMPARE(run(cli::runImport, QStringLiteral("import"),
                     {m_export, QStringLiteral("--batch-size"), QStringLiteral("0")}).code, 2);
        const Output missing = run(cli::runImport, QStringLiteral("import"),
                                   {m_dir.filePath(QStringLiteral("nope")), QStringLiteral("--db"), m_db});
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.contains(QStringLiteral("cytodiff-cli import: error: no such folder")));
        const Output help = run(cli::runImport, QStringLiteral("import"), {QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QStringLiteral("--case")));
    }

    void casesListsTheImportedCase()
    {
        const Output result = run(cli::runCases, QStringLiteral("cases"), {QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Slide 1")), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("open")));
        QCOMPARE(run(cli::runCases, QStringLiteral("cases"), {QStringLiteral("extra")}).code, 2);
        const Output empty = run(cli::runCases, QStringLiteral("cases"),
                                 {QStringLiteral("--db"), m_dir.filePath(QStringLiteral("empty.cytodiff"))});
        QCOMPARE(empty.code, 0);
        QVERIFY(empty.out.contains(QStringLiteral("No cases")));
    }

    void cellsListsOneCase()
    {
        const Output result = run(cli::runCells, QStringLiteral("cells"),
                                  {QStringLiteral("Slide 1"), QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY(result.out.contains(QStringLiteral("5 cells")));
        QVERIFY(result.out.contains(QStringLiteral("SNE_1.jpg")));
        QVERIFY(result.out.contains(QStringLiteral("Unidentified?"))); // unknown code marked
        QCOMPARE(run(cli::runCells, QStringLiteral("cells"), {QStringLiteral("1"), QStringLiteral("--db"), m_db}).code, 0);
        const Output unknown = run(cli::runCells, QStringLiteral("cells"),
                                   {QStringLiteral("no such case"), QStringLiteral("--db"), m_db});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.contains(QStringLiteral("no case named")));
        QCOMPARE(run(cli::runCells, QStringLiteral("cells"), {QStringLiteral("--db"), m_db}).code, 2);
    }

    void exportWritesPerCellCsvWithPredictions()
    {
        {
            auto db = db::Database::open(m_db);
            QVERIFY(db.ok());
            const qint64 first = db->cellIdsOfCase(db->findCase(QStringLiteral("Slide 1"))->id)->first();
            QMap<QString, double> scores{{QStringLiteral("neutrophil"), 0.9}, {QStringLiteral("ig"), 0.1}};
            QVERIFY(db->insertPrediction(first, QStringLiteral("model-a"), QStringLiteral("neutrophil"), 0.9, 0.2,
                                         scores, 50).ok());
        }
        const QString csvPath = m_dir.filePath(QStringLiteral("out.csv"));
        const Output result = run(cli::runExport, QStringLiteral("export"),
                                  {QStringLiteral("Slide 1"), QStringLiteral("--csv"), csvPath, QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY(result.out.contains(QStringLiteral("Wrote 5 cells")));
        QFile file(csvPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 6);
        QVERIFY(lines.first().startsWith(QStringLiteral("cell_id,case,slide_id,specimen,accession,patient_id,original_name")));
        QVERIFY(lines.first().endsWith(QStringLiteral("nfe,second_opinion_model_id,second_opinion_class,score_ig,score_neutrophil")));
        QVERIFY2(lines.at(1).contains(QStringLiteral(",model-a,neutrophil,0.9,0.2,50,,,0.1,0.9")), qPrintable(lines.at(1)));
        QVERIFY(lines.at(1).contains(QStringLiteral("Slide 1")));

        QCOMPARE(run(cli::runExport, QStringLiteral("export"), {QStringLiteral("Slide 1"), QStringLiteral("--db"), m_db}).code, 2);
        QCOMPARE(run(cli::runExport, QStringLiteral("export"),
                     {QStringLiteral("nope"), QStringLiteral("--csv"), csvPath, QStringLiteral("--db"), m_db}).code, 1);
        const Output toStdout = run(cli::runExport, QStringLiteral("export"),
                                    {QStringLiteral("1"), QStringLiteral("--csv"), QStringLiteral("-"), QStringLiteral("--db"), m_db});
        QCOMPARE(toStdout.code, 0);
        QVERIFY(toStdout.out.startsWith(QStringLiteral("cell_id,")));
    }

    void identifiersAreTypedShownAndAmended()
    {
        // Typed at import, for the one case it makes.
        const QString other = m_dir.filePath(QStringLiteral("Slide 2"));
        QVERIFY(writeCellImage(other + QStringLiteral("/lymphocyte/LY_9.jpg"), 99));
        Output result = run(cli::runImport, QStringLiteral("import"),
                            {other, QStringLiteral("--db"), m_db, QStringLiteral("--accession"), QStringLiteral("A-77"),
                             QStringLiteral("--patient"), QStringLiteral("Müller 7")});
        QCOMPARE(result.code, 0);
        result = run(cli::runCases, QStringLiteral("cases"), {QStringLiteral("--db"), m_db});
        QVERIFY2(result.out.contains(QStringLiteral("A-77")), qPrintable(result.out));

        // Shown, changed (an empty value clears one), refused when broken.
        result = run(cli::runIdentifiers, QStringLiteral("identifiers"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("patient id: Müller 7")), qPrintable(result.out));
        result = run(cli::runIdentifiers, QStringLiteral("identifiers"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--specimen"),
                      QStringLiteral("S 1"), QStringLiteral("--patient="), QStringLiteral("--by"), QStringLiteral("dr s")});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("specimen:   S 1")), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("patient id: -")));
        result = run(cli::runIdentifiers, QStringLiteral("identifiers"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--accession"),
                      QStringLiteral("A-\uFFFD")});
        QCOMPARE(result.code, 1);
        QVERIFY2(result.err.contains(QStringLiteral("could not be decoded")), qPrintable(result.err));

        // On a signed case: an amendment, with a reason.
        {
            auto db = db::Database::open(m_db);
            QVERIFY(db.ok());
            const qint64 id = db->findCase(QStringLiteral("Slide 2"))->id;
            QVERIFY(db->signCase(id, QStringLiteral("dr s")).ok());
        }
        const QStringList amend = {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--accession"),
                                   QStringLiteral("A-78")};
        result = run(cli::runIdentifiers, QStringLiteral("identifiers"), amend);
        QCOMPARE(result.code, 1);
        QVERIFY(result.err.contains(QStringLiteral("amendment")));
        result = run(cli::runIdentifiers, QStringLiteral("identifiers"),
                     amend + QStringList{QStringLiteral("--reason"), QStringLiteral("order corrected")});
        QCOMPARE(result.code, 0);
        auto db = db::Database::open(m_db);
        const qint64 id = db->findCase(QStringLiteral("Slide 2"))->id;
        QCOMPARE(db->caseById(id)->accession, QStringLiteral("A-78"));
        auto log = db->auditLog(QStringLiteral("case"), id);
        QCOMPARE(log->size(), 4); // import, identifiers, sign, amend
        QCOMPARE(log->at(1).action, QStringLiteral("identifiers"));
        QCOMPARE(log->at(1).actor, QStringLiteral("dr s"));
        QCOMPARE(log->last().action, QStringLiteral("amend"));
        QCOMPARE(log->last().reason, QStringLiteral("order corrected"));

        // Red cells and platelets of the signed case: an amendment.
        result = run(cli::runMorphology, QStringLiteral("morphology"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--grade"),
                      QStringLiteral("anisocytosis=2"), QStringLiteral("--platelets"), QStringLiteral("decreased")});
        QCOMPARE(result.code, 1);
        QVERIFY(result.err.contains(QStringLiteral("amendment")));
        result = run(cli::runMorphology, QStringLiteral("morphology"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--grade"),
                      QStringLiteral("anisocytosis=2"), QStringLiteral("--platelets"), QStringLiteral("decreased"),
                      QStringLiteral("--reason"), QStringLiteral("film read late")});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Anisocytosis 2+; Platelet estimate: decreased")),
                 qPrintable(result.out));
        QCOMPARE(run(cli::runMorphology, QStringLiteral("morphology"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--grade"),
                      QStringLiteral("sparkles=1")})
                     .code,
                 2);

        // The signed result reaches the LIS drop folder as HL7 (issue 24).
        const QString drop = m_dir.filePath(QStringLiteral("lis-drop"));
        QVERIFY(QDir().mkpath(drop));
        result = run(cli::runLisMessage, QStringLiteral("lis-message"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--out"), drop});
        QCOMPARE(result.code, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Wrote 1 message(s)")), qPrintable(result.out));
        QFile message(QDir(drop).filePath(QStringLiteral("A-78_CD0000000001.hl7")));
        QVERIFY(message.open(QIODevice::ReadOnly));
        const QByteArray text = message.readAll();
        QVERIFY(text.startsWith("MSH|^~\\&|CytoDiff|"));
        QVERIFY(text.contains("26478-8^Lymphocytes/100 leukocytes in Blood^LN||100.0|%|18.0-43.0|H|||C|"));
        QVERIFY(text.contains("|ST|CYTODIFF-RBC-ANISOCYTOSIS^Anisocytosis^L||2+|"));
        // FHIR beside the next HL7 message, under its control id.
        const QString fhir = m_dir.filePath(QStringLiteral("fhir"));
        QVERIFY(QDir().mkpath(fhir));
        result = run(cli::runLisMessage, QStringLiteral("lis-message"),
                     {QStringLiteral("Slide 2"), QStringLiteral("--db"), m_db, QStringLiteral("--out"), drop,
                      QStringLiteral("--fhir"), fhir});
        QCOMPARE(result.code, 0);
        QFile bundle(QDir(fhir).filePath(QStringLiteral("A-78_CD0000000002.json")));
        QVERIFY2(bundle.open(QIODevice::ReadOnly), qPrintable(result.out));
        QVERIFY(bundle.readAll().contains("\"resourceType\": \"DiagnosticReport\""));
        QCOMPARE(run(cli::runLisMessage, QStringLiteral("lis-message"),
                     {QStringLiteral("Slide 1"), QStringLiteral("--db"), m_db, QStringLiteral("--out"), drop})
                     .code,
                 1); // not signed
    }

    void newerWorkspaceRefusesImportButLists()
    {
        const QString path = m_dir.filePath(QStringLiteral("newer.cytodiff"));
        {
            auto db = db::Database::open(path);
            QVERIFY(db.ok());
            QVERIFY(db->execScript("PRAGMA user_version = 999").ok());
        }
        const Output import = run(cli::runImport, QStringLiteral("import"), {m_export, QStringLiteral("--db"), path});
        QCOMPARE(import.code, 1);
        QVERIFY2(import.err.contains(QStringLiteral("newer CytoDiff")), qPrintable(import.err));
        QCOMPARE(run(cli::runCases, QStringLiteral("cases"), {QStringLiteral("--db"), path}).code, 0);
    }
};

QTEST_GUILESS_MAIN(TestDbCommands)
#include "test_dbcommands.moc"
