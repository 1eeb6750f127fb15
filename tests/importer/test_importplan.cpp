// Layout detection and per-file case/label planning, on small export
// folders built in a temporary directory.

#include "importplan.h"
#include "testimages.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff::importer;
using cytodiff::testing::writeBytes;
using cytodiff::testing::writeCellImage;

namespace {

const PlannedFile *find(const ImportPlan &plan, const QString &relativePath)
{
    for (const PlannedFile &file : plan.files) {
        if (file.relativePath == relativePath)
            return &file;
    }
    return nullptr;
}

} // namespace

class TestImportPlan : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_seed = 0;

    // Creates <export>/<relative> for each path and returns <export>.
    QString makeExport(const QString &name, const QStringList &paths)
    {
        const QString root = m_dir.filePath(name);
        for (const QString &path : paths) {
            const QString file = root + QLatin1Char('/') + path;
            if (path.endsWith(QLatin1String(".txt")) || path.endsWith(QLatin1String(".db")))
                writeBytes(file, "not an image");
            else
                writeCellImage(file, ++m_seed);
        }
        return root;
    }

private slots:
    void classFolders()
    {
        const QString root = makeExport(QStringLiteral("pbc-like"),
                                        {QStringLiteral("neutrophil/SNE_1.jpg"), QStringLiteral("ig/MY_2.jpg"),
                                         QStringLiteral("ig/IG_3.jpg"), QStringLiteral("ig/BA_4.jpg"),
                                         QStringLiteral("Unidentified/cell_5.jpg"), QStringLiteral("notes.txt"),
                                         QStringLiteral("EO_6.png"), QStringLiteral(".hidden/x.jpg"),
                                         QStringLiteral("ig/Thumbs.db")});
        auto plan = planImport(root);
        QVERIFY(plan.ok());
        QCOMPARE(plan->layout, Layout::ClassFolders);
        QCOMPARE(plan->files.size(), 7);
        for (const PlannedFile &file : plan->files)
            QCOMPARE(file.caseName, QStringLiteral("pbc-like"));
        QCOMPARE(find(*plan, QStringLiteral("neutrophil/SNE_1.jpg"))->labelClass, QStringLiteral("neutrophil"));
        QCOMPARE(find(*plan, QStringLiteral("neutrophil/SNE_1.jpg"))->rawCode, QStringLiteral("SNE"));
        QCOMPARE(find(*plan, QStringLiteral("ig/MY_2.jpg"))->rawCode, QStringLiteral("MY"));
        QCOMPARE(find(*plan, QStringLiteral("ig/IG_3.jpg"))->labelClass, QStringLiteral("ig"));
        // The folder wins over a disagreeing prefix, and is the raw code.
        QCOMPARE(find(*plan, QStringLiteral("ig/BA_4.jpg"))->labelClass, QStringLiteral("ig"));
        QCOMPARE(find(*plan, QStringLiteral("ig/BA_4.jpg"))->rawCode, QStringLiteral("ig"));
        const PlannedFile *unidentified = find(*plan, QStringLiteral("Unidentified/cell_5.jpg"));
        QVERIFY(unidentified->labelClass.isEmpty());
        QCOMPARE(unidentified->rawCode, QStringLiteral("Unidentified"));
        QVERIFY(unidentified->unknownCode);
        QVERIFY(find(*plan, QStringLiteral("notes.txt"))->skipReason.contains(QStringLiteral("not an image")));
        QCOMPARE(find(*plan, QStringLiteral("EO_6.png"))->labelClass, QStringLiteral("eosinophil"));
        QCOMPARE(planImport(root, QStringLiteral("Slide 7"))->files.first().caseName, QStringLiteral("Slide 7"));
    }

    void caseFoldersWithClassFolders()
    {
        const QString root = makeExport(QStringLiteral("run"),
                                        {QStringLiteral("slideA/neutrophil/a.jpg"), QStringLiteral("slideA/LY/b.jpg"),
                                         QStringLiteral("slideB/EO/c.png"), QStringLiteral("slideB/BAS_d.bmp")});
        auto plan = planImport(root);
        QVERIFY(plan.ok());
        QCOMPARE(plan->layout, Layout::CaseFolders);
        QCOMPARE(plan->files.size(), 4);
        QCOMPARE(find(*plan, QStringLiteral("slideA/neutrophil/a.jpg"))->caseName, QStringLiteral("slideA"));
        QCOMPARE(find(*plan, QStringLiteral("slideA/LY/b.jpg"))->labelClass, QStringLiteral("lymphocyte"));
        QCOMPARE(find(*plan, QStringLiteral("slideB/EO/c.png"))->caseName, QStringLiteral("slideB"));
        QCOMPARE(find(*plan, QStringLiteral("slideB/BAS_d.bmp"))->labelClass, QStringLiteral("basophil"));
        auto prefixed = planImport(root, QStringLiteral("batch1"));
        QCOMPARE(prefixed->files.first().caseName, QStringLiteral("batch1/slideA"));
    }

    void caseFoldersOfFlatImages()
    {
        const QString root = makeExport(QStringLiteral("slides"),
                                        {QStringLiteral("S1/SNE_1.jpg"), QStringLiteral("S1/LY_2.jpg"),
                                         QStringLiteral("S2/img_1.jpg")});
        auto plan = planImport(root);
        QCOMPARE(plan->layout, Layout::CaseFolders);
        QCOMPARE(find(*plan, QStringLiteral("S1/SNE_1.jpg"))->labelClass, QStringLiteral("neutrophil"));
        const PlannedFile *unlabelled = find(*plan, QStringLiteral("S2/img_1.jpg"));
        QCOMPARE(unlabelled->caseName, QStringLiteral("S2"));
        QVERIFY(unlabelled->labelClass.isEmpty());
        QVERIFY(!unlabelled->unknownCode); // "img" is not taken for a class code
    }

    void flatFolderWithCodePrefixes()
    {
        const QString root = makeExport(QStringLiteral("flat"),
                                        {QStringLiteral("SNE_123.jpg"), QStringLiteral("PLATELET_9.jpg"),
                                         QStringLiteral("MYO_0001.tiff"), QStringLiteral("XYZ_5.jpg")});
        auto plan = planImport(root);
        QCOMPARE(plan->layout, Layout::FlatPrefix);
        QCOMPARE(find(*plan, QStringLiteral("SNE_123.jpg"))->labelClass, QStringLiteral("neutrophil"));
        QCOMPARE(find(*plan, QStringLiteral("PLATELET_9.jpg"))->labelClass, QStringLiteral("platelet"));
        QCOMPARE(find(*plan, QStringLiteral("MYO_0001.tiff"))->labelClass, QStringLiteral("blast"));
        const PlannedFile *unknown = find(*plan, QStringLiteral("XYZ_5.jpg"));
        QVERIFY(unknown->labelClass.isEmpty());
        QCOMPARE(unknown->rawCode, QStringLiteral("XYZ"));
        QVERIFY(unknown->unknownCode);
    }

    void unlabelledImages()
    {
        const QString root = makeExport(QStringLiteral("plain"), {QStringLiteral("img001.jpg"),
                                                                  QStringLiteral("img002.png"),
                                                                  QStringLiteral("0003.bmp")});
        auto plan = planImport(root);
        QCOMPARE(plan->layout, Layout::Unlabelled);
        QCOMPARE(plan->files.size(), 3);
        for (const PlannedFile &file : plan->files) {
            QVERIFY(file.labelClass.isEmpty());
            QVERIFY(file.rawCode.isEmpty());
            QVERIFY(!file.unknownCode);
            QCOMPARE(file.caseName, QStringLiteral("plain"));
        }
    }

    void manifestLayout()
    {
        const QString root = makeExport(QStringLiteral("listed"), {QStringLiteral("cells/a.jpg"),
                                                                   QStringLiteral("cells/b.jpg"),
                                                                   QStringLiteral("unlisted.jpg")});
        writeBytes(root + QStringLiteral("/manifest.csv"),
                   "image_path,case_id,slide_id,label_code,x,y\n"
                   "cells/a.jpg,C1,BC001,SNE,10,20\n"
                   "cells/b.jpg,,,KSC,,\n"
                   "cells/missing.jpg,C1,BC001,LY,,\n");
        auto plan = planImport(root);
        QVERIFY(plan.ok());
        QCOMPARE(plan->layout, Layout::Manifest);
        QCOMPARE(plan->files.size(), 3); // unlisted.jpg is not imported
        const PlannedFile *a = find(*plan, QStringLiteral("cells/a.jpg"));
        QCOMPARE(a->caseName, QStringLiteral("C1"));
        QCOMPARE(plan->identifiers.value(QStringLiteral("C1")).slideId, QStringLiteral("BC001"));
        QVERIFY(!plan->identifiers.contains(QStringLiteral("listed"))); // b.jpg gives none
        QCOMPARE(a->labelClass, QStringLiteral("neutrophil"));
        QCOMPARE(a->x, std::optional<double>(10));
        QCOMPARE(find(*plan, QStringLiteral("cells/b.jpg"))->caseName, QStringLiteral("listed"));
        QCOMPARE(find(*plan, QStringLiteral("cells/b.jpg"))->labelClass, QStringLiteral("smudge"));
        QVERIFY(find(*plan, QStringLiteral("cells/missing.jpg"))->skipReason.contains(QStringLiteral("line 4")));
    }

    void badRootsAreErrors()
    {
        QVERIFY(!planImport(m_dir.filePath(QStringLiteral("does-not-exist"))).ok());
        const QString file = m_dir.filePath(QStringLiteral("single.jpg"));
        writeCellImage(file, 99);
        auto plan = planImport(file);
        QVERIFY(!plan.ok());
        QVERIFY(QString::fromStdString(plan.error()).contains(QStringLiteral("not a folder")));
        writeBytes(m_dir.filePath(QStringLiteral("badmanifest/manifest.csv")), "path\nx.jpg\n");
        QVERIFY(!planImport(m_dir.filePath(QStringLiteral("badmanifest"))).ok());
    }
};

QTEST_GUILESS_MAIN(TestImportPlan)
#include "test_importplan.moc"
