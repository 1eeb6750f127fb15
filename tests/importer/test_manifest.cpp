// manifest.csv parsing: RFC 4180 quoting and what spreadsheets write.

#include "manifest.h"

#include <QTest>

using namespace cytodiff::importer;

class TestManifest : public QObject {
    Q_OBJECT

private slots:
    void quotedFieldsSeparatorsAndLineBreaks()
    {
        const QString text = QStringLiteral("a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
                                            "1,\"two\nlines\", 3 \r\n"
                                            "\n"
                                            "x,,\"\"\n");
        QList<int> lines;
        auto records = parseCsv(text, QLatin1Char(','), &lines);
        QVERIFY(records.ok());
        QCOMPARE(records->size(), 3);
        QCOMPARE(records->at(0), (QStringList{QStringLiteral("a"), QStringLiteral("b,c"), QStringLiteral("say \"hi\"")}));
        QCOMPARE(records->at(1), (QStringList{QStringLiteral("1"), QStringLiteral("two\nlines"), QStringLiteral("3")}));
        QCOMPARE(records->at(2), (QStringList{QStringLiteral("x"), QString(), QString()}));
        QCOMPARE(lines, (QList<int>{1, 2, 5}));
    }

    void unterminatedQuoteIsAnError()
    {
        auto records = parseCsv(QStringLiteral("a,b\n1,\"open\n"), QLatin1Char(','));
        QVERIFY(!records.ok());
        QVERIFY(QString::fromStdString(records.error()).contains(QStringLiteral("line 2")));
    }

    void manifestColumnsByNameInAnyOrder()
    {
        const QByteArray csv = "\xEF\xBB\xBF"
                               "Label_Code,image_path,x,y,case_id,slide_id,extra\n"
                               "SNE,cells/a.jpg,10.5,20,C1,\"BC, 001\",ignored\n"
                               "XYZ,\"cells/b b.jpg\",,,C2,,\n"
                               ",cells/c.jpg,oops,3,,,\n"
                               "MO,,1,2,C1,,\n";
        auto manifest = parseManifest(csv);
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().c_str());
        QCOMPARE(manifest->rows.size(), 3);
        const ManifestRow &a = manifest->rows.at(0);
        QCOMPARE(a.line, 2);
        QCOMPARE(a.imagePath, QStringLiteral("cells/a.jpg"));
        QCOMPARE(a.labelCode, QStringLiteral("SNE"));
        QCOMPARE(a.caseId, QStringLiteral("C1"));
        QCOMPARE(a.slideId, QStringLiteral("BC, 001"));
        QCOMPARE(a.x, std::optional<double>(10.5));
        QCOMPARE(a.y, std::optional<double>(20));
        QCOMPARE(manifest->rows.at(1).imagePath, QStringLiteral("cells/b b.jpg"));
        QVERIFY(!manifest->rows.at(1).x);
        QVERIFY(!manifest->rows.at(2).x); // "oops" ignored with a warning
        QCOMPARE(manifest->rows.at(2).y, std::optional<double>(3));
        QCOMPARE(manifest->warnings.size(), 2); // bad x, missing image_path
        QVERIFY(manifest->warnings.at(0).contains(QStringLiteral("line 4")));
        QVERIFY(manifest->warnings.at(1).contains(QStringLiteral("line 5")));
    }

    void semicolonManifestsFromSpreadsheets()
    {
        auto manifest = parseManifest("image_path;label_code;x\r\na.jpg;EO;12,5\r\n");
        QVERIFY(manifest.ok());
        QCOMPARE(manifest->rows.size(), 1);
        QCOMPARE(manifest->rows.first().labelCode, QStringLiteral("EO"));
        QCOMPARE(manifest->rows.first().x, std::optional<double>(12.5));
    }

    // Issue 24: a spreadsheet's Windows-1252 or UTF-16 export keeps its
    // names exactly; a file no encoding explains is refused, never stored
    // with a replacement character.
    void encodingsAreDetected()
    {
        const QString patient = QStringLiteral("Patient M\u00FCller \u2013 S\u00E9rie");
        const QString csv = QStringLiteral("image_path,case_id\na.jpg,%1\n").arg(patient);

        QByteArray windows = "image_path,case_id\na.jpg,Patient M\xFCller \x96 S\xE9rie\n";
        auto manifest = parseManifest(windows);
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().c_str());
        QCOMPARE(manifest->rows.first().caseId, patient);
        QCOMPARE(manifest->encoding, QStringLiteral("Windows-1252"));
        QVERIFY(manifest->warnings.first().contains(QStringLiteral("Windows-1252")));

        manifest = parseManifest(csv.toUtf8());
        QVERIFY(manifest.ok());
        QCOMPARE(manifest->rows.first().caseId, patient);
        QCOMPARE(manifest->encoding, QStringLiteral("UTF-8"));
        QVERIFY(manifest->warnings.isEmpty());

        for (const bool bom : {true, false})
            for (const bool little : {true, false}) {
                QByteArray utf16 = bom ? (little ? QByteArray("\xFF\xFE", 2) : QByteArray("\xFE\xFF", 2)) : QByteArray();
                for (const QChar c : csv) {
                    const char low = char(c.unicode() & 0xFF), high = char(c.unicode() >> 8);
                    utf16.append(little ? low : high).append(little ? high : low);
                }
                manifest = parseManifest(utf16);
                QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().c_str());
                QCOMPARE(manifest->rows.first().caseId, patient);
                QCOMPARE(manifest->encoding, little ? QStringLiteral("UTF-16LE") : QStringLiteral("UTF-16BE"));
            }

        // 0x81 is no character in Windows-1252 and no UTF-8: refused, with the line.
        manifest = parseManifest("image_path,case_id\na.jpg,ok\nb.jpg,M\x81ller\n");
        QVERIFY(!manifest.ok());
        QVERIFY(QString::fromStdString(manifest.error()).contains(QStringLiteral("line 3")));
        // Characters already lost by an earlier program are not stored either.
        manifest = parseManifest(QStringLiteral("image_path,case_id\na.jpg,M\uFFFDller\n").toUtf8());
        QVERIFY(!manifest.ok());
        QVERIFY(QString::fromStdString(manifest.error()).contains(QStringLiteral("line 2")));
        // A UTF-8 mark on bytes that are not UTF-8.
        QVERIFY(!parseManifest("\xEF\xBB\xBFimage_path\na\xFF.jpg\n").ok());
        // A binary file (a spreadsheet saved as .xlsx and renamed).
        QVERIFY(!parseManifest(QByteArray("PK\x03\x04\x00\x00\x08\x00junk", 12)).ok());
    }

    void headerWithoutImagePathIsRefused()
    {
        auto manifest = parseManifest("path,label\na.jpg,SNE\n");
        QVERIFY(!manifest.ok());
        QVERIFY(QString::fromStdString(manifest.error()).contains(QStringLiteral("image_path")));
        QVERIFY(!parseManifest("").ok());
    }
};

QTEST_GUILESS_MAIN(TestManifest)
#include "test_manifest.moc"
