// The synonym table: every code and folder name from the issue maps to its
// canonical class; unknown codes stay unknown.

#include "classnames.h"

#include <QTest>

#include <utility>
#include <vector>

using namespace cytodiff::importer;

class TestClassNames : public QObject {
    Q_OBJECT

private slots:
    void synonymsMapOntoCanonicalClasses_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        const std::vector<std::pair<const char *, std::vector<const char *>>> table = {
            {"neutrophil", {"SNE", "BNE", "NEUTROPHIL", "NGS", "NGB", "neutrophils", "Neutrophil"}},
            {"ig", {"ig", "IG", "MY", "MMY", "PMY", "MYB", "MMZ", "PMO", "PMB", "immature granulocyte",
                    "Immature_Granulocytes", "immature-granulocyte"}},
            {"blast", {"MYO", "MOB", "blast", "Blasts"}},
            {"erythroblast", {"ERB", "EBO", "NRBC", "erythroblast"}},
            {"platelet", {"PLT", "PLATELET", "platelets"}},
            {"lymphocyte", {"LY", "LYT", "Lymphocyte"}},
            {"variant_lymphocyte", {"LYA", "variant lymphocyte", "variant_lymphocyte"}},
            {"monocyte", {"MO", "MON", "monocyte"}},
            {"eosinophil", {"EO", "EOS", "eosinophil"}},
            {"basophil", {"BA", "BAS", "basophil"}},
            {"smudge", {"KSC", "smudge"}},
            {"artefact", {"artefact", "Artifact"}},
        };
        for (const auto &[id, names] : table) {
            for (const char *name : names)
                QTest::addRow("%s", name) << QString::fromLatin1(name) << QString::fromLatin1(id);
        }
    }
    void synonymsMapOntoCanonicalClasses()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QCOMPARE(canonicalClass(name), expected);
        QCOMPARE(canonicalClass(QStringLiteral("  ") + name.toLower() + QStringLiteral(" ")), expected);
    }

    void unknownCodesStayUnknown()
    {
        for (const char *code : {"XYZ", "Unidentified", "IMG", "", "SNEX", "neutro"})
            QVERIFY2(canonicalClass(QString::fromLatin1(code)).isEmpty(), code);
    }

    void pbcFolderNamesAreCanonicalIds()
    {
        for (const char *folder :
             {"basophil", "eosinophil", "erythroblast", "ig", "lymphocyte", "monocyte", "neutrophil", "platelet"}) {
            QVERIFY(isCanonicalClass(QString::fromLatin1(folder)));
            QCOMPARE(canonicalClass(QString::fromLatin1(folder)), QString::fromLatin1(folder));
        }
        QCOMPARE(canonicalClassIds().size(), 12);
        QCOMPARE(displayName(QStringLiteral("ig")), QStringLiteral("Immature granulocyte"));
        QCOMPARE(displayName(QStringLiteral("other")), QStringLiteral("other"));
        QVERIFY(kClassTableVersion >= 1);
    }

    void everySynonymTargetIsCanonical()
    {
        // Guards edits of the table: a synonym must not point at a typo.
        for (const QString &id : canonicalClassIds())
            QCOMPARE(canonicalClass(id), id);
    }

    void fileNameCodes_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("code");
        QTest::newRow("pbc") << QStringLiteral("SNE_123.jpg") << QStringLiteral("SNE");
        QTest::newRow("long") << QStringLiteral("PLATELET_9.jpg") << QStringLiteral("PLATELET");
        QTest::newRow("matek") << QStringLiteral("MYO_0001.tiff") << QStringLiteral("MYO");
        QTest::newRow("letters") << QStringLiteral("MYO0001.tiff") << QStringLiteral("MYO");
        QTest::newRow("spaces") << QStringLiteral("immature granulocyte_2.png") << QStringLiteral("immature granulocyte");
        QTest::newRow("digits") << QStringLiteral("0001.jpg") << QString();
        QTest::newRow("digit prefix") << QStringLiteral("0001_SNE.jpg") << QString();
        QTest::newRow("path") << QStringLiteral("a/b/EO_1.jpg") << QStringLiteral("EO");
    }
    void fileNameCodes()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, code);
        QCOMPARE(fileNameCode(fileName), code);
    }
};

QTEST_GUILESS_MAIN(TestClassNames)
#include "test_classnames.moc"
