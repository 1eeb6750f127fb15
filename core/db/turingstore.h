#pragma once
// The blinded Turing test's tables (migration 3): tests, their images,
// readers, each reader's presentation order, and the answers. Truth,
// class and source of an image are stored for the analysis only; the
// reader-facing calls (presentation order, image bytes) never return them.

#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace cytodiff::db {

class Database;

enum class TuringTruth { Real, Synthetic };
QString turingTruthName(TuringTruth truth); // "real" / "synthetic", as stored
std::optional<TuringTruth> turingTruthFromName(const QString &name);

struct NewTuringTest {
    QString name;
    QString modelId;
    int imageSize = 0;      // side in pixels of every stored PNG
    QStringList classNames; // the classes a reader may answer
    QString source;         // where the real cells came from (never shown to readers)
    QString settings;       // generation settings, as text
};

struct TuringTestRow {
    qint64 id = 0;
    QString name;
    QDateTime createdAt;
    QString modelId;
    int imageSize = 0;
    QStringList classNames;
    QString source;
    QString settings;
    int imageCount = 0;
    int readerCount = 0;
};

struct NewTuringImage {
    QString code; // opaque id, unique within the test
    TuringTruth truth = TuringTruth::Real;
    QString classId;
    std::optional<qint64> sourceCellId; // real cells from a case
    QString sourceRef;                  // real cells from a folder: the file
    QByteArray png;
};

struct TuringImageRow {
    qint64 id = 0;
    QString code;
    TuringTruth truth = TuringTruth::Real;
    QString classId;
    std::optional<qint64> sourceCellId;
    QString sourceRef;
};

struct TuringReaderRow {
    qint64 id = 0;
    qint64 testId = 0;
    QString name;
    QDateTime startedAt;
    QDateTime finishedAt; // invalid until every image is answered
    int answered = 0;
    int total = 0;
};

// One answer joined with what the analysis needs.
struct TuringAnswerRow {
    QString readerName;
    qint64 readerId = 0;
    qint64 imageId = 0;
    QString imageCode;
    TuringTruth truth = TuringTruth::Real;
    QString classId;
    TuringTruth answer = TuringTruth::Real;
    QString answerClass;
    qint64 timeMs = 0;
    int position = 0; // in the reader's order
};

class TuringStore {
public:
    explicit TuringStore(Database &database) : m_db(database), m_writable(&database) {}
    // Reads only: the writing calls fail.
    explicit TuringStore(const Database &database) : m_db(database) {}

    // The test and all its images in one transaction: a failure leaves
    // nothing. Fails when the name is taken or an image is malformed.
    Result<qint64> createTest(const NewTuringTest &test, const QList<NewTuringImage> &images);
    Result<QList<TuringTestRow>> listTests() const; // by name
    // By exact name first; if no test has that name and the text is a
    // number, by id.
    Result<TuringTestRow> findTest(const QString &nameOrId) const;
    Result<TuringTestRow> testById(qint64 testId) const;

    Result<QList<TuringImageRow>> images(qint64 testId) const; // by id, no bytes
    Result<QByteArray> imagePng(qint64 imageId) const;

    // A reader of the test by name (trimmed; capitals and repeated spaces
    // ignored, so a returning reader resumes whatever the typing). A new reader
    // gets every image in an order shuffled with `seed`, stored so that the
    // reading resumes; an existing one keeps the stored order.
    Result<TuringReaderRow> openReader(qint64 testId, const QString &name, std::uint64_t seed);
    Result<QList<TuringReaderRow>> readers(qint64 testId) const; // by name
    Result<TuringReaderRow> reader(qint64 readerId) const;
    // Image ids in the reader's order.
    Result<QList<qint64>> presentationOrder(qint64 readerId) const;
    // Position of the first image without an answer; == total when done.
    Result<int> nextPosition(qint64 readerId) const;
    // One answer per reader and image (a second one is refused: no
    // changing answers after the fact). Marks the reader finished with the
    // last answer, in the same transaction.
    Result<void> recordAnswer(qint64 readerId, qint64 imageId, TuringTruth answer, const QString &answerClass,
                              qint64 timeMs);
    // Every answer of the test, by reader name then position.
    Result<QList<TuringAnswerRow>> answers(qint64 testId) const;

private:
    Result<Database *> writable() const;

    const Database &m_db;
    Database *m_writable = nullptr;
};

} // namespace cytodiff::db
