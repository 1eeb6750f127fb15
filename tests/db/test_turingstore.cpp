// The Turing test tables (migration 3): a test and its images are written
// together or not at all, readers get their own stored order and resume
// it, answers are one per image and cannot be changed, the reader is
// marked finished with the last one, and the joined answers carry truth
// and class for the analysis.

#include "workspaceengine.h"
#include "database.h"
#include "migrations.h"
#include "turingstore.h"

#include <QSet>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::db;

namespace {

NewTuringImage image(const char *code, TuringTruth truth, const char *cls)
{
    NewTuringImage out;
    out.code = QString::fromLatin1(code);
    out.truth = truth;
    out.classId = QString::fromLatin1(cls);
    out.png = QByteArray("\x89PNG fake ") + code;
    return out;
}

NewTuringTest testNamed(const char *name)
{
    NewTuringTest test;
    test.name = QString::fromLatin1(name);
    test.modelId = QStringLiteral("tiny@abc");
    test.imageSize = 64;
    test.classNames = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte")};
    return test;
}

QList<NewTuringImage> fourImages()
{
    return {image("AAA", TuringTruth::Real, "neutrophil"), image("BBB", TuringTruth::Synthetic, "neutrophil"),
            image("CCC", TuringTruth::Real, "lymphocyte"), image("DDD", TuringTruth::Synthetic, "lymphocyte")};
}

qint64 count(const Database &db, const char *sql)
{
    auto statement = db.prepare(sql);
    if (!statement || !statement->step().ok())
        return -1;
    return statement->int64(0);
}

} // namespace

class TestTuringStore : public QObject {
    Q_OBJECT

private slots:
    void schemaHasTheTuringTables()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        QVERIFY(latestSchemaVersion() >= 3);
        const char *tables = testing::kOnServer
                                 ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE 'turing_%'"
                                 : "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'turing_%' AND type = 'table'";
        QCOMPARE(count(*db, tables), qint64(5));
    }

    void createAndListATest()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        TuringStore store(*db);
        auto id = store.createTest(testNamed("T1"), fourImages());
        VERIFY_OK(id);
        auto tests = store.listTests();
        VERIFY_OK(tests);
        QCOMPARE(tests->size(), 1);
        QCOMPARE(tests->first().name, QStringLiteral("T1"));
        QCOMPARE(tests->first().imageCount, 4);
        QCOMPARE(tests->first().imageSize, 64);
        QCOMPARE(tests->first().classNames, QStringList({QStringLiteral("neutrophil"), QStringLiteral("lymphocyte")}));
        auto byName = store.findTest(QStringLiteral("T1"));
        VERIFY_OK(byName);
        QCOMPARE(byName->id, *id);
        auto byId = store.findTest(QString::number(*id));
        VERIFY_OK(byId);
        QVERIFY(!store.findTest(QStringLiteral("nope")).ok());

        auto images = store.images(*id);
        VERIFY_OK(images);
        QCOMPARE(images->size(), 4);
        QCOMPARE(images->at(1).truth, TuringTruth::Synthetic);
        auto png = store.imagePng(images->at(0).id);
        VERIFY_OK(png);
        QCOMPARE(*png, QByteArray("\x89PNG fake AAA"));
    }

    void aTakenNameOrABadImageWritesNothing()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        TuringStore store(*db);
        VERIFY_OK(store.createTest(testNamed("T1"), fourImages()));
        auto again = store.createTest(testNamed("T1"), fourImages());
        QVERIFY(!again.ok());
        QVERIFY2(QString::fromStdString(again.error()).contains(QStringLiteral("already exists")), again.error().c_str());

        // A duplicate code fails the UNIQUE constraint half-way: the test
        // row written before it is rolled back.
        QList<NewTuringImage> duplicate = fourImages();
        duplicate[3].code = QStringLiteral("AAA");
        QVERIFY(!store.createTest(testNamed("T2"), duplicate).ok());
        // A synthetic image may not carry a source cell.
        QList<NewTuringImage> leaky = fourImages();
        leaky[1].sourceRef = QStringLiteral("/data/x.jpg");
        QVERIFY(!store.createTest(testNamed("T3"), leaky).ok());
        QCOMPARE(count(*db, "SELECT COUNT(*) FROM turing_tests"), qint64(1));
        QCOMPARE(count(*db, "SELECT COUNT(*) FROM turing_images"), qint64(4));
    }

    void readersGetTheirOwnStoredOrderAndResume()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        TuringStore store(*db);
        auto id = store.createTest(testNamed("T"), fourImages());
        VERIFY_OK(id);
        auto ann = store.openReader(*id, QStringLiteral("  Ann "), 1);
        VERIFY_OK(ann);
        QCOMPARE(ann->name, QStringLiteral("Ann"));
        QCOMPARE(ann->total, 4);
        auto order = store.presentationOrder(ann->id);
        VERIFY_OK(order);
        QCOMPARE(order->size(), 4);
        QCOMPARE(QSet<qint64>(order->begin(), order->end()).size(), 4);

        // Same name: the same reader and order, whatever the seed.
        auto again = store.openReader(*id, QStringLiteral("Ann"), 999);
        VERIFY_OK(again);
        QCOMPARE(again->id, ann->id);
        QCOMPARE(*store.presentationOrder(ann->id), *order);
        // Other capitals and spaces: still Ann resuming, not a new reader
        // at image 1 (issue 19).
        auto typed = store.openReader(*id, QStringLiteral("  ANN "), 7);
        VERIFY_OK(typed);
        QCOMPARE(typed->id, ann->id);
        QCOMPARE(typed->name, QStringLiteral("Ann"));

        // Different seeds give different orders for some reader (4! = 24
        // orders; ten readers all in the same order would be a bug).
        QSet<QList<qint64>> orders;
        for (int r = 0; r < 10; ++r) {
            auto other = store.openReader(*id, QStringLiteral("R%1").arg(r), std::uint64_t(100 + r));
            VERIFY_OK(other);
            orders.insert(*store.presentationOrder(other->id));
        }
        QVERIFY(orders.size() > 1);
        QVERIFY(!store.openReader(*id, QStringLiteral("   "), 1).ok());
    }

    void answersAreOncePerImageAndFinishTheReader()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        TuringStore store(*db);
        auto id = store.createTest(testNamed("T"), fourImages());
        VERIFY_OK(id);
        auto reader = store.openReader(*id, QStringLiteral("Ann"), 5);
        VERIFY_OK(reader);
        const QList<qint64> order = *store.presentationOrder(reader->id);
        QCOMPARE(*store.nextPosition(reader->id), 0);
        VERIFY_OK(store.recordAnswer(reader->id, order[0], TuringTruth::Real, QStringLiteral("neutrophil"), 1200));
        QCOMPARE(*store.nextPosition(reader->id), 1);
        // No second answer for the same image, no answer for a stranger.
        QVERIFY(!store.recordAnswer(reader->id, order[0], TuringTruth::Synthetic, QStringLiteral("neutrophil"), 5).ok());
        QVERIFY(!store.recordAnswer(reader->id, 9999, TuringTruth::Real, QStringLiteral("neutrophil"), 5).ok());
        QVERIFY(!store.recordAnswer(reader->id, order[1], TuringTruth::Real, QString(), 5).ok());
        QVERIFY(!store.reader(reader->id)->finishedAt.isValid());

        for (int i = 1; i < 4; ++i)
            VERIFY_OK(store.recordAnswer(reader->id, order[i], TuringTruth::Synthetic, QStringLiteral("lymphocyte"), 100 * i));
        auto done = store.reader(reader->id);
        VERIFY_OK(done);
        QVERIFY(done->finishedAt.isValid());
        QCOMPARE(done->answered, 4);
        QCOMPARE(*store.nextPosition(reader->id), 4);

        auto answers = store.answers(*id);
        VERIFY_OK(answers);
        QCOMPARE(answers->size(), 4);
        QCOMPARE(answers->at(0).position, 0);
        QCOMPARE(answers->at(0).imageId, order[0]);
        QCOMPARE(answers->at(0).answer, TuringTruth::Real);
        QCOMPARE(answers->at(0).timeMs, qint64(1200));
        QCOMPARE(answers->at(3).answerClass, QStringLiteral("lymphocyte"));
        // Truth and class come from the image row.
        for (const TuringAnswerRow &answer : *answers) {
            const auto images = *store.images(*id);
            for (const TuringImageRow &row : images) {
                if (row.id == answer.imageId) {
                    QCOMPARE(answer.truth, row.truth);
                    QCOMPARE(answer.classId, row.classId);
                    QCOMPARE(answer.imageCode, row.code);
                }
            }
        }
    }

    void aReadOnlyStoreRefusesWrites()
    {
        auto db = testing::openFreshWorkspace();
        VERIFY_OK(db);
        const Database &readOnly = *db;
        const TuringStore store(readOnly);
        VERIFY_OK(store.listTests());
        TuringStore copy = store;
        QVERIFY(!copy.createTest(testNamed("T"), fourImages()).ok());
    }
};

QTEST_GUILESS_MAIN(TestTuringStore)
#include "test_turingstore.moc"
