#include "turingstore.h"

#include "database.h"
#include "transaction.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <random>

namespace cytodiff::db {
namespace {

QString classNamesText(const QStringList &names)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(names)).toJson(QJsonDocument::Compact));
}

QStringList classNamesFromText(const QString &text)
{
    QStringList names;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &value : array)
        names << value.toString();
    return names;
}

const char *const kTestColumns =
    "SELECT t.id, t.name, t.created_at, t.model_id, t.image_size, t.class_names, t.source, t.settings, "
    "(SELECT COUNT(*) FROM turing_images i WHERE i.test_id = t.id), "
    "(SELECT COUNT(*) FROM turing_readers r WHERE r.test_id = t.id) FROM turing_tests t ";

TuringTestRow readTest(const Statement &s)
{
    TuringTestRow row;
    row.id = s.int64(0);
    row.name = s.text(1);
    row.createdAt = fromDbTime(s.text(2));
    row.modelId = s.text(3);
    row.imageSize = s.int32(4);
    row.classNames = classNamesFromText(s.text(5));
    row.source = s.text(6);
    row.settings = s.text(7);
    row.imageCount = s.int32(8);
    row.readerCount = s.int32(9);
    return row;
}

const char *const kReaderColumns =
    "SELECT r.id, r.test_id, r.name, r.started_at, r.finished_at, "
    "(SELECT COUNT(*) FROM turing_answers a WHERE a.reader_id = r.id), "
    "(SELECT COUNT(*) FROM turing_presentations p WHERE p.reader_id = r.id) FROM turing_readers r ";

TuringReaderRow readReader(const Statement &s)
{
    TuringReaderRow row;
    row.id = s.int64(0);
    row.testId = s.int64(1);
    row.name = s.text(2);
    row.startedAt = fromDbTime(s.text(3));
    if (!s.isNull(4))
        row.finishedAt = fromDbTime(s.text(4));
    row.answered = s.int32(5);
    row.total = s.int32(6);
    return row;
}

TuringTruth truthOf(const QString &text)
{
    return turingTruthFromName(text).value_or(TuringTruth::Real);
}

} // namespace

QString turingTruthName(TuringTruth truth)
{
    return truth == TuringTruth::Synthetic ? QStringLiteral("synthetic") : QStringLiteral("real");
}

std::optional<TuringTruth> turingTruthFromName(const QString &name)
{
    const QString text = name.trimmed().toLower();
    if (text == QLatin1String("real"))
        return TuringTruth::Real;
    if (text == QLatin1String("synthetic"))
        return TuringTruth::Synthetic;
    return std::nullopt;
}

Result<Database *> TuringStore::writable() const
{
    if (!m_writable)
        return makeError("internal error: the Turing test store was opened for reading only");
    if (auto writable = m_writable->ensureWritable(); !writable)
        return makeError(writable.error());
    return m_writable;
}

Result<qint64> TuringStore::createTest(const NewTuringTest &test, const QList<NewTuringImage> &images)
{
    auto db = writable();
    if (!db)
        return makeError(db.error());
    const QString name = test.name.trimmed();
    if (name.isEmpty())
        return makeError("a Turing test needs a name");
    if (test.imageSize <= 0)
        return makeError("a Turing test needs a positive image size");
    if (images.isEmpty())
        return makeError("a Turing test needs at least one image");
    auto transaction = Transaction::begin(**db);
    if (!transaction)
        return makeError(transaction.error());
    auto taken = m_db.prepare("SELECT 1 FROM turing_tests WHERE name = ?");
    if (!taken)
        return makeError(taken.error());
    taken->bind(1, name);
    auto exists = taken->step();
    if (!exists)
        return makeError(exists.error());
    if (*exists)
        return makeError("a Turing test named '" + name.toStdString() + "' already exists; choose another name");

    auto insertTest = m_db.prepare("INSERT INTO turing_tests (name, created_at, model_id, image_size, class_names, "
                                   "source, settings) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insertTest)
        return makeError(insertTest.error());
    insertTest->bind(1, name)
        .bind(2, nowText())
        .bind(3, test.modelId)
        .bind(4, test.imageSize)
        .bind(5, classNamesText(test.classNames))
        .bindOptional(6, test.source)
        .bindOptional(7, test.settings);
    auto testId = insertTest->execReturningId();
    if (!testId)
        return makeError(testId.error());

    auto insertImage = m_db.prepare("INSERT INTO turing_images (test_id, code, truth, class, source_cell_id, "
                                    "source_ref, image) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!insertImage)
        return makeError(insertImage.error());
    for (const NewTuringImage &image : images) {
        if (image.png.isEmpty() || image.code.isEmpty() || image.classId.isEmpty())
            return makeError("a Turing test image needs its picture, an id and a class");
        insertImage->reset();
        insertImage->bind(1, *testId)
            .bind(2, image.code)
            .bind(3, turingTruthName(image.truth))
            .bind(4, image.classId)
            .bindOptional(5, image.sourceCellId)
            .bindOptional(6, image.sourceRef.isEmpty() ? QString() : image.sourceRef)
            .bindBlob(7, image.png);
        if (auto done = insertImage->exec(); !done)
            return makeError("cannot store Turing test image " + image.code.toStdString() + ": " + done.error());
    }
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return *testId;
}

Result<QList<TuringTestRow>> TuringStore::listTests() const
{
    auto query = m_db.prepare(std::string(kTestColumns) + "ORDER BY t.name");
    if (!query)
        return makeError(query.error());
    return collectRows<TuringTestRow>(*query, readTest);
}

Result<TuringTestRow> TuringStore::testById(qint64 testId) const
{
    auto query = m_db.prepare(std::string(kTestColumns) + "WHERE t.id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, testId);
    return singleRow<TuringTestRow>(*query, readTest, "no Turing test with id " + std::to_string(testId));
}

Result<TuringTestRow> TuringStore::findTest(const QString &nameOrId) const
{
    auto query = m_db.prepare(std::string(kTestColumns) + "WHERE t.name = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, nameOrId.trimmed());
    auto more = query->step();
    if (!more)
        return makeError(more.error());
    if (*more)
        return readTest(*query);
    bool isNumber = false;
    const qint64 id = nameOrId.trimmed().toLongLong(&isNumber);
    if (isNumber)
        return testById(id);
    return makeError("no Turing test named '" + nameOrId.toStdString() +
                     "' in this workspace (list them with turing-results without --test, or in the GUI)");
}

Result<QList<TuringImageRow>> TuringStore::images(qint64 testId) const
{
    auto query = m_db.prepare("SELECT id, code, truth, class, source_cell_id, source_ref FROM turing_images "
                              "WHERE test_id = ? ORDER BY id");
    if (!query)
        return makeError(query.error());
    query->bind(1, testId);
    return collectRows<TuringImageRow>(*query, [](const Statement &s) {
        TuringImageRow row;
        row.id = s.int64(0);
        row.code = s.text(1);
        row.truth = truthOf(s.text(2));
        row.classId = s.text(3);
        if (!s.isNull(4))
            row.sourceCellId = s.int64(4);
        row.sourceRef = s.text(5);
        return row;
    });
}

Result<QByteArray> TuringStore::imagePng(qint64 imageId) const
{
    auto query = m_db.prepare("SELECT image FROM turing_images WHERE id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, imageId);
    return singleRow<QByteArray>(*query, [](const Statement &s) { return s.blob(0); },
                              "no Turing test image with id " + std::to_string(imageId));
}

Result<TuringReaderRow> TuringStore::reader(qint64 readerId) const
{
    auto query = m_db.prepare(std::string(kReaderColumns) + "WHERE r.id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, readerId);
    return singleRow<TuringReaderRow>(*query, readReader, "no Turing test reader with id " + std::to_string(readerId));
}

Result<QList<TuringReaderRow>> TuringStore::readers(qint64 testId) const
{
    auto query = m_db.prepare(std::string(kReaderColumns) + "WHERE r.test_id = ? ORDER BY r.name");
    if (!query)
        return makeError(query.error());
    query->bind(1, testId);
    return collectRows<TuringReaderRow>(*query, readReader);
}

Result<TuringReaderRow> TuringStore::openReader(qint64 testId, const QString &name, std::uint64_t seed)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return makeError("enter the reader's name");
    // "dr ana ruiz" is Dr Ana Ruiz resuming, not a new reader starting at
    // image 1 (field test, issue 19): names match ignoring capitals and
    // repeated spaces, in any script (SQLite's NOCASE folds ASCII only).
    auto known = readers(testId);
    if (!known)
        return makeError(known.error());
    const QString wanted = trimmed.simplified();
    for (const TuringReaderRow &row : *known) {
        if (row.name.simplified().compare(wanted, Qt::CaseInsensitive) == 0)
            return row;
    }

    auto db = writable();
    if (!db)
        return makeError(db.error());
    auto all = images(testId);
    if (!all)
        return makeError(all.error());
    if (all->isEmpty())
        return makeError("this Turing test has no images");
    QList<qint64> order;
    for (const TuringImageRow &image : *all)
        order.append(image.id);
    // Fisher-Yates written out: std::shuffle's sequence differs between
    // standard libraries, and a seed should give the same order everywhere.
    std::mt19937_64 random(seed);
    for (qsizetype i = order.size() - 1; i > 0; --i) {
        const auto j = qsizetype(random() % std::uint64_t(i + 1));
        std::swap(order[i], order[j]);
    }

    auto transaction = Transaction::begin(**db);
    if (!transaction)
        return makeError(transaction.error());
    auto insertReader =
        m_db.prepare("INSERT INTO turing_readers (test_id, name, started_at) VALUES (?, ?, ?) RETURNING id");
    if (!insertReader)
        return makeError(insertReader.error());
    insertReader->bind(1, testId).bind(2, trimmed).bind(3, nowText());
    auto readerId = insertReader->execReturningId();
    if (!readerId)
        return makeError(readerId.error());
    auto insertPosition =
        m_db.prepare("INSERT INTO turing_presentations (reader_id, position, image_id) VALUES (?, ?, ?)");
    if (!insertPosition)
        return makeError(insertPosition.error());
    for (int position = 0; position < order.size(); ++position) {
        insertPosition->reset();
        insertPosition->bind(1, *readerId).bind(2, position).bind(3, order[position]);
        if (auto done = insertPosition->exec(); !done)
            return makeError(done.error());
    }
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return reader(*readerId);
}

Result<QList<qint64>> TuringStore::presentationOrder(qint64 readerId) const
{
    auto query = m_db.prepare("SELECT image_id FROM turing_presentations WHERE reader_id = ? ORDER BY position");
    if (!query)
        return makeError(query.error());
    query->bind(1, readerId);
    return collectRows<qint64>(*query, [](const Statement &s) { return s.int64(0); });
}

Result<int> TuringStore::nextPosition(qint64 readerId) const
{
    auto query = m_db.prepare(
        "SELECT COALESCE(MIN(p.position), (SELECT COUNT(*) FROM turing_presentations q WHERE q.reader_id = ?1)) "
        "FROM turing_presentations p WHERE p.reader_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM turing_answers a WHERE a.reader_id = p.reader_id AND a.image_id = p.image_id)");
    if (!query)
        return makeError(query.error());
    query->bind(1, readerId);
    return singleRow<int>(*query, [](const Statement &s) { return s.int32(0); }, "no such reader");
}

Result<void> TuringStore::recordAnswer(qint64 readerId, qint64 imageId, TuringTruth answer,
                                       const QString &answerClass, qint64 timeMs)
{
    if (answerClass.trimmed().isEmpty())
        return makeError("an answer needs a cell type");
    auto db = writable();
    if (!db)
        return makeError(db.error());
    auto transaction = Transaction::begin(**db);
    if (!transaction)
        return makeError(transaction.error());
    auto presented = m_db.prepare("SELECT 1 FROM turing_presentations WHERE reader_id = ? AND image_id = ?");
    if (!presented)
        return makeError(presented.error());
    presented->bind(1, readerId).bind(2, imageId);
    auto isPresented = presented->step();
    if (!isPresented)
        return makeError(isPresented.error());
    if (!*isPresented)
        return makeError("image " + std::to_string(imageId) + " is not part of this reader's test");
    auto already = m_db.prepare("SELECT 1 FROM turing_answers WHERE reader_id = ? AND image_id = ?");
    if (!already)
        return makeError(already.error());
    already->bind(1, readerId).bind(2, imageId);
    auto answered = already->step();
    if (!answered)
        return makeError(answered.error());
    if (*answered)
        return makeError("this image has already been answered by this reader; answers cannot be changed");
    auto insert = m_db.prepare("INSERT INTO turing_answers (reader_id, image_id, answer, answer_class, time_ms, "
                               "answered_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, readerId)
        .bind(2, imageId)
        .bind(3, turingTruthName(answer))
        .bind(4, answerClass.trimmed())
        .bind(5, std::max<qint64>(0, timeMs))
        .bind(6, nowText());
    if (auto done = insert->exec(); !done)
        return makeError(done.error());
    auto finish = m_db.prepare(
        "UPDATE turing_readers SET finished_at = ? WHERE id = ? AND finished_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM turing_presentations p WHERE p.reader_id = turing_readers.id AND NOT EXISTS "
        "(SELECT 1 FROM turing_answers a WHERE a.reader_id = p.reader_id AND a.image_id = p.image_id))");
    if (!finish)
        return makeError(finish.error());
    finish->bind(1, nowText()).bind(2, readerId);
    if (auto done = finish->exec(); !done)
        return makeError(done.error());
    return transaction->commit();
}

Result<QList<TuringAnswerRow>> TuringStore::answers(qint64 testId) const
{
    auto query = m_db.prepare(
        "SELECT r.name, r.id, i.id, i.code, i.truth, i.class, a.answer, a.answer_class, a.time_ms, p.position "
        "FROM turing_answers a JOIN turing_readers r ON r.id = a.reader_id "
        "JOIN turing_images i ON i.id = a.image_id "
        "JOIN turing_presentations p ON p.reader_id = a.reader_id AND p.image_id = a.image_id "
        "WHERE r.test_id = ? ORDER BY r.name, p.position");
    if (!query)
        return makeError(query.error());
    query->bind(1, testId);
    return collectRows<TuringAnswerRow>(*query, [](const Statement &s) {
        TuringAnswerRow row;
        row.readerName = s.text(0);
        row.readerId = s.int64(1);
        row.imageId = s.int64(2);
        row.imageCode = s.text(3);
        row.truth = truthOf(s.text(4));
        row.classId = s.text(5);
        row.answer = truthOf(s.text(6));
        row.answerClass = s.text(7);
        row.timeMs = s.int64(8);
        row.position = s.int32(9);
        return row;
    });
}

} // namespace cytodiff::db
