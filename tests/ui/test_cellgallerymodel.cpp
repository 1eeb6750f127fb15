// CellGalleryModel on a large case: 10,000 cells load as light rows, roles
// answer without image bytes, thumbnails are decoded lazily (only what the
// view paints) in the loader's thread, and later updates reach the rows.

#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "database.h"
#include "thumbnailloader.h"
#include "transaction.h"
#include "uitesthelpers.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {
constexpr int kLargeCase = 10000;

const QStringList kClasses{QStringLiteral("neutrophil"), QStringLiteral("lymphocyte"),
                           QStringLiteral("monocyte"), QStringLiteral("eosinophil")};
const QStringList kCodes{QStringLiteral("SNE"), QStringLiteral("LY"), QStringLiteral("MO"),
                         QStringLiteral("EO")};

// A fetcher factory that, like MainWindow's, opens its own connection in
// the loader's thread, and counts how many images were fetched.
CellImageFetcherFactory fetchFrom(const QString &path, std::shared_ptr<std::atomic_int> fetched)
{
    return [path, fetched]() -> CellImageFetcher {
        auto opened = db::Database::open(path);
        if (!opened)
            return {};
        auto database = std::make_shared<db::Database>(std::move(*opened));
        return [database, fetched](qint64 cellId, QString *error) {
            ++*fetched;
            auto bytes = database->cellImage(cellId);
            if (!bytes) {
                *error = QString::fromStdString(bytes.error());
                return QByteArray();
            }
            return *bytes;
        };
    };
}
} // namespace

class TestCellGalleryModel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_caseId = 0;
    qint64 m_brokenCellId = 0;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("large.cytodiff"));
        auto database = db::Database::open(m_path);
        QVERIFY2(database.ok(), database.ok() ? "" : database.error().c_str());
        auto caseId = database->createCase({QStringLiteral("large"), QStringLiteral("S-1"), {}, {}, {}, {}, {}});
        QVERIFY(caseId.ok());
        m_caseId = *caseId;
        auto transaction = db::Transaction::begin(*database);
        QVERIFY(transaction.ok());
        for (int i = 0; i < kLargeCase - 1; ++i) {
            const auto inserted = database->insertCell(
                uitest::makeNewCell(m_caseId, i, kClasses.at(i % 4), kCodes.at(i % 4)));
            QVERIFY2(inserted.ok() && inserted->inserted, inserted.ok() ? "duplicate" : inserted.error().c_str());
        }
        // One cell whose stored bytes are not an image (e.g. a damaged file
        // restored from backup): its tile must say so, not crash.
        db::NewCell broken = uitest::makeNewCell(m_caseId, kLargeCase, QString(), QStringLiteral("XYZ"));
        broken.image = QByteArray("definitely not an image");
        broken.sha256 = QString::fromLatin1(QCryptographicHash::hash(broken.image, QCryptographicHash::Sha256).toHex());
        broken.unknownCode = true;
        auto inserted = database->insertCell(broken);
        QVERIFY(inserted.ok());
        m_brokenCellId = inserted->cellId;
        QVERIFY(transaction->commit().ok());
    }

    void loadsTenThousandLightRows()
    {
        auto database = db::Database::open(m_path);
        QVERIFY(database.ok());
        CellGalleryModel model;
        QVERIFY(model.loadCase(*database, m_caseId).ok());
        QCOMPARE(model.rowCount(), kLargeCase);
        QCOMPARE(model.caseId(), m_caseId);

        // Every role of the rows a screen shows, and of a row far down.
        for (int row : {0, 1, 2, 3, 150, 4999, kLargeCase - 2}) {
            const QModelIndex index = model.index(row);
            const qint64 id = index.data(CellGalleryModel::CellIdRole).toLongLong();
            QVERIFY(id > 0);
            QCOMPARE(model.indexOfCell(id), index);
            QCOMPARE(model.cellId(index), id);
            QCOMPARE(index.data(CellGalleryModel::CaseIdRole).toLongLong(), m_caseId);
            QCOMPARE(index.data(CellGalleryModel::ImageSizeRole).toSize(), QSize(32, 32));
            const QString label = index.data(CellGalleryModel::LabelClassRole).toString();
            const QString code = index.data(CellGalleryModel::RawCodeRole).toString();
            QCOMPARE(kClasses.indexOf(label), kCodes.indexOf(code));
            QVERIFY(index.data(CellGalleryModel::FileNameRole).toString().startsWith(code));
            QVERIFY(!index.data(CellGalleryModel::CaptionRole).toString().isEmpty());
            QVERIFY(!index.data(Qt::ToolTipRole).toString().isEmpty());
            QVERIFY(!index.data(CellGalleryModel::ConfidenceRole).isValid());
            // No loader: no thumbnail, and asking does not fail.
            QVERIFY(!index.data(CellGalleryModel::ThumbnailRole).isValid());
        }
        for (int row = 0; row < 300; ++row)
            QVERIFY(!model.index(row).data(CellGalleryModel::CaptionRole).toString().isEmpty());

        const QHash<QString, int> counts = model.labelCounts();
        QCOMPARE(counts.value(QStringLiteral("neutrophil")), 2500);
        QCOMPARE(counts.value(QStringLiteral("eosinophil")), 2499);
        QCOMPARE(counts.value(QString()), 1);

        const QModelIndex broken = model.indexOfCell(m_brokenCellId);
        QVERIFY(broken.isValid());
        QCOMPARE(broken.data(CellGalleryModel::CaptionRole).toString(), QStringLiteral("XYZ"));
        QVERIFY(broken.data(CellGalleryModel::UnknownCodeRole).toBool());
        QVERIFY(!model.index(kLargeCase).isValid());
        QVERIFY(!model.indexOfCell(-5).isValid());
    }

    void thumbnailsAreDecodedLazilyForPaintedRows()
    {
        auto database = db::Database::open(m_path);
        QVERIFY(database.ok());
        auto fetched = std::make_shared<std::atomic_int>(0);
        ThumbnailLoader loader(fetchFrom(m_path, fetched), 64);
        CellGalleryModel model;
        model.setThumbnailLoader(&loader);
        QVERIFY(model.loadCase(*database, m_caseId).ok());

        CellGalleryView view;
        view.setModel(&model);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        const qint64 first = model.cellId(model.index(0));
        QVERIFY(uitest::waitUntil([&] { return !model.cachedThumbnail(first).isNull(); }));
        const QPixmap thumbnail = model.cachedThumbnail(first);
        QCOMPARE(thumbnail.size(), QSize(32, 32)); // never blown up beyond the original
        QCOMPARE(model.index(0).data(CellGalleryModel::ThumbnailRole).value<QPixmap>().size(), thumbnail.size());

        // Only about a screenful was fetched, not the case.
        QTest::qWait(300);
        QVERIFY2(fetched->load() < 500, qPrintable(QString::number(fetched->load())));
        const qint64 last = model.cellId(model.index(kLargeCase - 2));
        QVERIFY(model.cachedThumbnail(last).isNull());

        // Scrolling to the end decodes what is now on screen.
        view.scrollToBottom();
        QVERIFY(uitest::waitUntil([&] { return !model.cachedThumbnail(last).isNull(); }));

        // A cell whose bytes do not decode reports why.
        QVERIFY(!model.indexOfCell(m_brokenCellId).data(CellGalleryModel::ThumbnailRole).isValid());
        QVERIFY(uitest::waitUntil([&] {
            return !model.indexOfCell(m_brokenCellId).data(CellGalleryModel::ThumbnailErrorRole).toString().isEmpty();
        }));
        model.setThumbnailLoader(nullptr);
    }

    void predictionsAndLabelsUpdateRows()
    {
        auto database = db::Database::open(m_path);
        QVERIFY(database.ok());
        CellGalleryModel model;
        QVERIFY(model.loadCase(*database, m_caseId).ok());
        const QModelIndex index = model.index(1);
        const qint64 id = model.cellId(index);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        db::PredictionRow prediction;
        prediction.cellId = id;
        prediction.modelId = QStringLiteral("test-model");
        prediction.predictedClass = QStringLiteral("monocyte");
        prediction.confidence = 0.87;
        model.setPrediction(prediction);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), index);
        QCOMPARE(index.data(CellGalleryModel::PredictedClassRole).toString(), QStringLiteral("monocyte"));
        QCOMPARE(index.data(CellGalleryModel::CaptionRole).toString(), QStringLiteral("Monocyte"));
        QCOMPARE(index.data(CellGalleryModel::ConfidenceRole).toDouble(), 0.87);
        QVERIFY(index.data(CellGalleryModel::SubCaptionRole).toString().contains(QStringLiteral("87")));

        model.setLabel(id, QStringLiteral("basophil"));
        QCOMPARE(changed.size(), 2);
        QCOMPARE(index.data(CellGalleryModel::LabelClassRole).toString(), QStringLiteral("basophil"));

        // Updates for cells of another case are ignored.
        prediction.cellId = 987654321;
        model.setPrediction(prediction);
        QCOMPARE(changed.size(), 2);
    }
};

QTEST_MAIN(TestCellGalleryModel)
#include "test_cellgallerymodel.moc"
