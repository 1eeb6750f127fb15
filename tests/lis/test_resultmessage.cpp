// The signed result as HL7 v2.5.1 ORU^R01 (issue 24): parsed back and
// checked against the differential, hostile text survives escaping, an
// amendment turns final (F) into corrected (C), the drop folder never
// holds half a message, and a case without an accession is refused.

#include "database.h"
#include "fhirbundle.h"
#include "hl7message.h"
#include "lisoutbox.h"
#include "mllp.h"
#include "resultmessage.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <optional>

using namespace cytodiff;
using namespace cytodiff::lis;

#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

namespace {

QList<QStringList> segmentsNamed(const QList<QStringList> &message, const QString &id)
{
    QList<QStringList> found;
    for (const QStringList &segment : message)
        if (segment.value(0) == id)
            found << segment;
    return found;
}

// A bounded MLLP receiver on the loopback address: answers every complete
// frame with an ACK of the given code and keeps what it received. It lives
// on the test's thread; the sender runs in another, so the receiver serves
// while the test waits for the sender.
class LoopbackReceiver : public QObject {
public:
    QString code = QStringLiteral("AA");
    QList<QByteArray> received;

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    void close() { m_server.close(); }

    LoopbackReceiver()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                    m_buffers[socket] += socket->readAll();
                    auto message = mllpUnframe(m_buffers[socket]);
                    if (!message)
                        return;
                    m_buffers.remove(socket);
                    received << *message;
                    socket->write(mllpFrame(mllpAck(*message, code, QStringLiteral("checked|by ^ test"))));
                });
            }
        });
    }

private:
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

// Runs work in another thread while this one's event loop serves.
template <typename Work>
auto whileServing(Work work)
{
    auto future = std::async(std::launch::async, work);
    while (future.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return future.get();
}

} // namespace

class TestResultMessage : public QObject {
    Q_OBJECT

private:
    std::optional<db::Database> m_db;
    qint64 m_caseId = 0;
    QList<qint64> m_cells;

    qint64 addCell(int n, const QString &label)
    {
        db::NewCell cell;
        cell.caseId = m_caseId;
        cell.image = QByteArray::number(n);
        cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
        cell.width = cell.height = 360;
        cell.originalName = QStringLiteral("%1.jpg").arg(n);
        cell.sourcePath = cell.originalName;
        cell.labelClass = label;
        auto inserted = m_db->insertCell(cell);
        return inserted.ok() ? inserted->cellId : -1;
    }

private slots:
    void init()
    {
        auto opened = db::Database::openInMemory();
        QVERIFY(opened.ok());
        m_db.emplace(std::move(*opened));
        // Hostile but storable identifiers: every HL7 delimiter, non-ASCII.
        auto created = m_db->createCase({QStringLiteral("K|1"), QStringLiteral("SL^9"), QStringLiteral("S&1"), {}, {},
                                         QStringLiteral("A~100\\x"), QStringLiteral("Müller|Jürgen^7")});
        VERIFY_OK(created);
        m_caseId = *created;
        m_cells.clear();
        int n = 0;
        for (int i = 0; i < 6; ++i)
            m_cells << addCell(++n, QStringLiteral("neutrophil"));
        for (int i = 0; i < 3; ++i)
            m_cells << addCell(++n, QStringLiteral("lymphocyte"));
        m_cells << addCell(++n, QStringLiteral("ig"));
        m_cells << addCell(++n, QStringLiteral("erythroblast"));
        m_cells << addCell(++n, QStringLiteral("platelet"));
    }

    void cleanup() { m_db.reset(); }

    void escapingRoundTrips()
    {
        const QString hostile = QStringLiteral("a|b^c&d~e\\f\r\ng Müller ±");
        const QString escaped = hl7Escape(hostile);
        for (const QChar c : {QLatin1Char('|'), QLatin1Char('^'), QLatin1Char('&'), QLatin1Char('~'), QLatin1Char('\r'),
                              QLatin1Char('\n')})
            QVERIFY(!escaped.contains(c));
        QCOMPARE(escaped, QStringLiteral("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\\\X0A\\g Müller ±"));
        QCOMPARE(hl7Unescape(escaped), hostile);
        QCOMPARE(hl7Unescape(QStringLiteral("\\H\\bold\\N\\")), QStringLiteral("\\H\\bold\\N\\")); // kept
    }

    void signedCaseBecomesAFinalMessage()
    {
        QVERIFY(!caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults()).ok()); // not signed yet
        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        auto result = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(result);
        QVERIFY(!result->corrected);
        LisSettings settings;
        settings.sendingFacility = QStringLiteral("HAEM LAB");
        settings.receivingApplication = QStringLiteral("LIS");
        const QDateTime at(QDate(2026, 12, 6), QTime(1, 2, 3), Qt::UTC);
        auto message = resultMessage(*result, settings, QStringLiteral("CD000001"), at);
        VERIFY_OK(message);
        QVERIFY(message->endsWith('\r'));
        QVERIFY(!message->contains('\n'));

        const QList<QStringList> parsed = hl7Split(*message);
        QCOMPARE(parsed.first().value(0), QStringLiteral("MSH"));
        QCOMPARE(parsed.first().value(1), QStringLiteral("^~\\&"));
        QCOMPARE(parsed.first().value(2), QStringLiteral("CytoDiff")); // MSH-3
        QCOMPARE(parsed.first().value(3), QStringLiteral("HAEM LAB"));
        QCOMPARE(parsed.first().value(6), QStringLiteral("20261206010203+0000")); // MSH-7
        QCOMPARE(parsed.first().value(8), QStringLiteral("ORU^R01^ORU_R01"));
        QCOMPARE(parsed.first().value(9), QStringLiteral("CD000001"));
        QCOMPARE(parsed.first().value(11), QStringLiteral("2.5.1"));
        QCOMPARE(parsed.first().value(17), QStringLiteral("UNICODE UTF-8"));

        const QStringList pid = segmentsNamed(parsed, QStringLiteral("PID")).first();
        QCOMPARE(hl7Unescape(pid.value(3).section(QLatin1Char('^'), 0, 0)), QStringLiteral("Müller|Jürgen^7"));
        const QStringList obr = segmentsNamed(parsed, QStringLiteral("OBR")).first();
        QCOMPARE(hl7Unescape(obr.value(2)), QStringLiteral("A~100\\x")); // placer order = accession
        QCOMPARE(hl7Unescape(obr.value(3)), QStringLiteral("K|1"));
        QCOMPARE(obr.value(25), QStringLiteral("F"));

        // One OBX per line of the differential, values as the panel shows.
        const review::Differential &d = result->differential;
        const QList<QStringList> obx = segmentsNamed(parsed, QStringLiteral("OBX"));
        QCOMPARE(obx.size(), 1 + d.white.size() + d.nonWhite.size());
        QHash<QString, QStringList> byCode;
        for (const QStringList &segment : obx) {
            QCOMPARE(segment.value(11), QStringLiteral("F"));
            byCode.insert(segment.value(3).section(QLatin1Char('^'), 0, 0), segment);
        }
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-WBC-COUNTED")).value(5), QStringLiteral("10"));
        const QStringList neutrophils = byCode.value(QStringLiteral("26511-2"));
        QCOMPARE(neutrophils.value(3), QStringLiteral("26511-2^Neutrophils/100 leukocytes in Blood^LN"));
        QCOMPARE(neutrophils.value(5), QStringLiteral("60.0")); // 6 of 10 white cells
        QCOMPARE(neutrophils.value(6), QStringLiteral("%"));
        QCOMPARE(neutrophils.value(7), QStringLiteral("43.0-72.0"));
        QCOMPARE(neutrophils.value(8), QStringLiteral("N"));
        QCOMPARE(byCode.value(QStringLiteral("38518-7")).value(5), QStringLiteral("10.0")); // ig
        QCOMPARE(byCode.value(QStringLiteral("26485-3")).value(8), QStringLiteral("L")); // no monocytes: below 4
        QCOMPARE(byCode.value(QStringLiteral("19048-8")).value(5), QStringLiteral("10.0")); // NRBC per 100 WBC
        QCOMPARE(byCode.value(QStringLiteral("19048-8")).value(6), QStringLiteral("/100{WBCs}"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-PLATELET")).value(3).section(QLatin1Char('^'), 2, 2),
                 QStringLiteral("L")); // no LOINC code guessed

        // An amendment: the next message is a corrected result.
        VERIFY_OK(m_db->setLabel(m_cells.first(), QStringLiteral("monocyte"), QStringLiteral("dr s"),
                                 QStringLiteral("second look")));
        auto amended = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(amended);
        QVERIFY(amended->corrected);
        auto corrected = resultMessage(*amended, settings, QStringLiteral("CD000002"), at.addSecs(60));
        VERIFY_OK(corrected);
        const QList<QStringList> second = hl7Split(*corrected);
        QCOMPARE(segmentsNamed(second, QStringLiteral("OBR")).first().value(25), QStringLiteral("C"));
        for (const QStringList &segment : segmentsNamed(second, QStringLiteral("OBX"))) {
            QCOMPARE(segment.value(11), QStringLiteral("C"));
            if (segment.value(3).startsWith(QStringLiteral("26511-2")))
                QCOMPARE(segment.value(5), QStringLiteral("50.0"));
        }

        // The drop folder: one file per message, never overwritten.
        QTemporaryDir dir;
        auto first = writeToDropFolder(dir.path(), result->caseRow.accession, QStringLiteral("CD000001"), *message);
        VERIFY_OK(first);
        auto next = writeToDropFolder(dir.path(), result->caseRow.accession, QStringLiteral("CD000002"), *corrected);
        VERIFY_OK(next);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
        QFile written(*first);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), *message);
        // The same message again (a retry after a crash) counts as written;
        // other bytes under its name are never overwritten.
        VERIFY_OK(writeToDropFolder(dir.path(), result->caseRow.accession, QStringLiteral("CD000001"), *message));
        QVERIFY(!writeToDropFolder(dir.path(), result->caseRow.accession, QStringLiteral("CD000001"), *corrected).ok());
        QVERIFY(!writeToDropFolder(dir.filePath(QStringLiteral("missing")), QStringLiteral("A"), QStringLiteral("1"),
                                   *message)
                     .ok());
    }

    void outboxKeepsWhatCouldNotBeSent()
    {
        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        auto controlId = LisOutbox::enqueue(*m_db, m_caseId, {}, review::ReferenceRanges::defaults(),
                                            QStringLiteral("dr s"));
        VERIFY_OK(controlId);
        QCOMPARE(*controlId, QStringLiteral("CD0000000001"));

        // The LIS share is down: the message stays queued, with the reason.
        QTemporaryDir dir;
        const QString drop = dir.filePath(QStringLiteral("drop"));
        QVERIFY(!LisOutbox::deliverToFolder(*m_db, drop).ok());
        auto pending = LisOutbox::pending(*m_db);
        VERIFY_OK(pending);
        QCOMPARE(pending->size(), 1);
        QVERIFY(pending->first().lastError.contains(QStringLiteral("does not exist")));
        QVERIFY(!pending->first().corrected);

        // An amendment queues a corrected result behind it; both go, in order.
        VERIFY_OK(m_db->setLabel(m_cells.first(), QStringLiteral("monocyte"), QStringLiteral("dr s"),
                                 QStringLiteral("second look")));
        auto second = LisOutbox::enqueue(*m_db, m_caseId, {}, review::ReferenceRanges::defaults(), QStringLiteral("dr s"));
        VERIFY_OK(second);
        QCOMPARE(LisOutbox::pending(*m_db)->size(), 2);
        QVERIFY(QDir().mkpath(drop));
        auto delivered = LisOutbox::deliverToFolder(*m_db, drop);
        VERIFY_OK(delivered);
        QCOMPARE(*delivered, 2);
        QVERIFY(LisOutbox::pending(*m_db)->isEmpty());
        const QStringList files = QDir(drop).entryList(QDir::Files, QDir::Name);
        QCOMPARE(files.size(), 2);
        QVERIFY(files.last().endsWith(QStringLiteral("CD0000000002.hl7")));
        QFile corrected(QDir(drop).filePath(files.last()));
        QVERIFY(corrected.open(QIODevice::ReadOnly));
        QCOMPARE(segmentsNamed(hl7Split(corrected.readAll()), QStringLiteral("OBR")).first().value(25),
                 QStringLiteral("C"));
        VERIFY_OK(LisOutbox::deliverToFolder(*m_db, drop)); // nothing left: nothing written twice
        QCOMPARE(QDir(drop).entryList(QDir::Files).size(), 2);
    }

    void mllpDeliversAgainstAcksAndRetries()
    {
        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        VERIFY_OK(LisOutbox::enqueue(*m_db, m_caseId, {}, review::ReferenceRanges::defaults(), QStringLiteral("dr s")));
        LoopbackReceiver receiver;
        QVERIFY(receiver.listen());
        MllpEndpoint endpoint;
        endpoint.host = QStringLiteral("127.0.0.1");
        endpoint.port = receiver.port();
        endpoint.connectTimeoutMs = 2000;
        endpoint.ackTimeoutMs = 3000;
        QCOMPARE(parseMllpEndpoint(QStringLiteral("127.0.0.1:%1").arg(receiver.port()))->port, receiver.port());
        QVERIFY(!parseMllpEndpoint(QStringLiteral("lis.example:0")).ok());

        // The LIS rejects it: queued, with the LIS's own words.
        receiver.code = QStringLiteral("AE");
        auto rejected = whileServing([&] { return LisOutbox::deliverOverMllp(*m_db, endpoint); });
        QVERIFY(!rejected.ok());
        QVERIFY2(QString::fromStdString(rejected.error()).contains(QStringLiteral("(AE: checked|by ^ test)")),
                 rejected.error().c_str());
        QCOMPARE(LisOutbox::pending(*m_db)->size(), 1);

        // The receiver is down: still queued, the reason kept.
        receiver.close();
        auto down = whileServing([&] { return LisOutbox::deliverOverMllp(*m_db, endpoint); });
        QVERIFY(!down.ok());
        QVERIFY(QString::fromStdString(down.error()).contains(QStringLiteral("cannot reach")));
        QVERIFY(LisOutbox::pending(*m_db)->first().lastError.contains(QStringLiteral("cannot reach")));

        // Back up and accepting: the retry delivers the very message, once.
        LoopbackReceiver again;
        QVERIFY(again.listen());
        endpoint.port = again.port();
        auto delivered = whileServing([&] { return LisOutbox::deliverOverMllp(*m_db, endpoint); });
        VERIFY_OK(delivered);
        QCOMPARE(*delivered, 1);
        QCOMPARE(again.received.size(), 1);
        QCOMPARE(receiver.received.size(), 1); // the rejected attempt
        QCOMPARE(again.received.first(), receiver.received.first());
        QVERIFY(again.received.first().startsWith("MSH|^~\\&|CytoDiff|"));
        QVERIFY(LisOutbox::pending(*m_db)->isEmpty());
    }

    void fhirBundleRoundTrips()
    {
        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        auto result = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(result);
        const QDateTime at(QDate(2026, 12, 6), QTime(1, 2, 3), Qt::UTC);
        auto bundle = fhirResultBundle(*result, {}, QStringLiteral("CD0000000001"), at);
        VERIFY_OK(bundle);
        QJsonParseError error;
        const QJsonObject root = QJsonDocument::fromJson(*bundle, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(root.value(QStringLiteral("resourceType")).toString(), QStringLiteral("Bundle"));
        QCOMPARE(root.value(QStringLiteral("type")).toString(), QStringLiteral("collection"));
        const QJsonArray entries = root.value(QStringLiteral("entry")).toArray();
        const QJsonObject report = entries.first().toObject().value(QStringLiteral("resource")).toObject();
        QCOMPARE(report.value(QStringLiteral("resourceType")).toString(), QStringLiteral("DiagnosticReport"));
        QCOMPARE(report.value(QStringLiteral("status")).toString(), QStringLiteral("final"));
        const QJsonObject accession = report.value(QStringLiteral("identifier")).toArray().first().toObject();
        QCOMPARE(accession.value(QStringLiteral("value")).toString(), QStringLiteral("A~100\\x")); // exactly
        QCOMPARE(report.value(QStringLiteral("subject")).toObject().value(QStringLiteral("identifier")).toObject()
                     .value(QStringLiteral("value")).toString(),
                 QStringLiteral("Müller|Jürgen^7"));

        // Every result reference resolves to an Observation in the bundle.
        QHash<QString, QJsonObject> byUrl;
        for (const QJsonValue &entry : entries)
            byUrl.insert(entry.toObject().value(QStringLiteral("fullUrl")).toString(),
                         entry.toObject().value(QStringLiteral("resource")).toObject());
        const QJsonArray results = report.value(QStringLiteral("result")).toArray();
        QCOMPARE(results.size(), 1 + result->differential.white.size() + result->differential.nonWhite.size());
        QCOMPARE(entries.size(), results.size() + 1);
        QHash<QString, QJsonObject> byCode;
        for (const QJsonValue &reference : results) {
            const QJsonObject observation = byUrl.value(reference.toObject().value(QStringLiteral("reference")).toString());
            QCOMPARE(observation.value(QStringLiteral("resourceType")).toString(), QStringLiteral("Observation"));
            QCOMPARE(observation.value(QStringLiteral("status")).toString(), QStringLiteral("final"));
            const QJsonObject code =
                observation.value(QStringLiteral("code")).toObject().value(QStringLiteral("coding")).toArray().first().toObject();
            byCode.insert(code.value(QStringLiteral("code")).toString(), observation);
        }
        const QJsonObject neutrophils = byCode.value(QStringLiteral("26511-2"));
        QCOMPARE(neutrophils.value(QStringLiteral("code")).toObject().value(QStringLiteral("coding")).toArray().first()
                     .toObject().value(QStringLiteral("system")).toString(),
                 QStringLiteral("http://loinc.org"));
        const QJsonObject value = neutrophils.value(QStringLiteral("valueQuantity")).toObject();
        QCOMPARE(value.value(QStringLiteral("value")).toDouble(), 60.0);
        QCOMPARE(value.value(QStringLiteral("code")).toString(), QStringLiteral("%"));
        const QJsonObject range = neutrophils.value(QStringLiteral("referenceRange")).toArray().first().toObject();
        QCOMPARE(range.value(QStringLiteral("low")).toObject().value(QStringLiteral("value")).toDouble(), 43.0);
        QCOMPARE(range.value(QStringLiteral("high")).toObject().value(QStringLiteral("value")).toDouble(), 72.0);
        QCOMPARE(byCode.value(QStringLiteral("19048-8")).value(QStringLiteral("valueQuantity")).toObject()
                     .value(QStringLiteral("code")).toString(),
                 QStringLiteral("/100{WBCs}"));
        QVERIFY(byCode.contains(QStringLiteral("platelet"))); // local code, not a guessed LOINC one

        // The same id gives the same resources; an amendment: corrected.
        QCOMPARE(*fhirResultBundle(*result, {}, QStringLiteral("CD0000000001"), at), *bundle);
        VERIFY_OK(m_db->setLabel(m_cells.first(), QStringLiteral("monocyte"), QStringLiteral("dr s"),
                                 QStringLiteral("second look")));
        auto amended = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        auto corrected = fhirResultBundle(*amended, {}, QStringLiteral("CD0000000002"), at);
        VERIFY_OK(corrected);
        QVERIFY(corrected->contains("\"status\": \"corrected\""));
        QVERIFY(!corrected->contains("\"status\": \"final\""));
    }

    void morphologyIsPartOfTheSignedResult()
    {
        // Recorded before sign-off, audited; refused when contradictory.
        review::CaseMorphology morphology;
        morphology.grades.insert(QStringLiteral("anisocytosis"), 2);
        morphology.grades.insert(QStringLiteral("target_cells"), 1);
        morphology.schistocytePercent = 1.5;
        morphology.platelets = review::PlateletEstimate::Decreased;
        morphology.plateletClumps = true;
        morphology.comment = QStringLiteral("Check|film^again\nsoon & Müller");
        morphology.wbcCount = 8.0;
        review::CaseMorphology contradictory = morphology;
        contradictory.allNormal = true;
        QVERIFY(!review::MorphologyStore::save(*m_db, m_caseId, contradictory, QStringLiteral("dr s")).ok());
        review::CaseMorphology unknown;
        unknown.grades.insert(QStringLiteral("sparkles"), 1);
        QVERIFY(!review::MorphologyStore::save(*m_db, m_caseId, unknown, QStringLiteral("dr s")).ok());
        VERIFY_OK(review::MorphologyStore::save(*m_db, m_caseId, morphology, QStringLiteral("dr s")));
        QCOMPARE(*review::MorphologyStore::load(*m_db, m_caseId), morphology);
        QCOMPARE(m_db->auditLog(QStringLiteral("case"), m_caseId)->last().action, QStringLiteral("morphology"));

        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        auto result = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(result);
        auto message = resultMessage(*result, {}, QStringLiteral("M1"), QDateTime::currentDateTimeUtc());
        VERIFY_OK(message);
        QHash<QString, QStringList> byCode;
        for (const QStringList &obx : segmentsNamed(hl7Split(*message), QStringLiteral("OBX")))
            byCode.insert(obx.value(3).section(QLatin1Char('^'), 0, 0), obx);
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-RBC-ANISOCYTOSIS")).value(2), QStringLiteral("ST"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-RBC-ANISOCYTOSIS")).value(5), QStringLiteral("2+"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-RBC-TARGET_CELLS")).value(5), QStringLiteral("1+"));
        const QStringList schistocytes = byCode.value(QStringLiteral("CYTODIFF-RBC-SCHISTOCYTES"));
        QCOMPARE(schistocytes.value(5), QStringLiteral("1.5"));
        QCOMPARE(schistocytes.value(8), QStringLiteral("H")); // above ICSH's 1%
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-PLT-ESTIMATE")).value(5), QStringLiteral("decreased"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-PLT-CLUMPS")).value(5), QStringLiteral("Seen"));
        // With the analyser's WBC count: absolute counts (60% of 8.0).
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-WBC")).value(5), QStringLiteral("8.00"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-NEUTROPHIL-ABS")).value(5), QStringLiteral("4.80"));
        QCOMPARE(byCode.value(QStringLiteral("CYTODIFF-NEUTROPHIL-ABS")).value(6), QStringLiteral("10*9/L"));
        const QStringList comment = byCode.value(QStringLiteral("CYTODIFF-COMMENT"));
        QCOMPARE(comment.value(2), QStringLiteral("TX"));
        QCOMPARE(hl7Unescape(comment.value(5)), morphology.comment); // hostile text survives
        auto bundle = fhirResultBundle(*result, {}, QStringLiteral("M1"), QDateTime::currentDateTimeUtc());
        VERIFY_OK(bundle);
        const QJsonObject report = QJsonDocument::fromJson(*bundle).object().value(QStringLiteral("entry")).toArray()
                                       .first().toObject().value(QStringLiteral("resource")).toObject();
        QCOMPARE(report.value(QStringLiteral("conclusion")).toString(), morphology.comment);
        QVERIFY(bundle->contains("\"valueString\": \"2+\""));

        // After signing: only as an amendment, and the LIS then gets a
        // corrected result.
        review::CaseMorphology corrected = morphology;
        corrected.platelets = review::PlateletEstimate::Adequate;
        QVERIFY(!review::MorphologyStore::save(*m_db, m_caseId, corrected, QStringLiteral("dr s")).ok());
        VERIFY_OK(review::MorphologyStore::save(*m_db, m_caseId, corrected, QStringLiteral("dr s"),
                                                QStringLiteral("film re-read")));
        auto amended = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(amended);
        QVERIFY(amended->corrected);
        QCOMPARE(amended->morphology.platelets, review::PlateletEstimate::Adequate);
    }

    void noAccessionNoMessage()
    {
        VERIFY_OK(m_db->setCaseIdentifiers(m_caseId, {}, QStringLiteral("dr s")));
        VERIFY_OK(m_db->signCase(m_caseId, QStringLiteral("dr s")));
        auto result = caseResult(*m_db, m_caseId, review::ReferenceRanges::defaults());
        VERIFY_OK(result);
        auto message = resultMessage(*result, {}, QStringLiteral("1"), QDateTime::currentDateTimeUtc());
        QVERIFY(!message.ok());
        QVERIFY(QString::fromStdString(message.error()).contains(QStringLiteral("no accession number")));

        // The built-in demo case of generated cells never reaches a LIS.
        auto demo = m_db->createCase({QStringLiteral("DEMO"), {}, {}, QStringLiteral("synthetic:tiny"), {},
                                      QStringLiteral("A-1"), {}});
        VERIFY_OK(demo);
        VERIFY_OK(m_db->signCase(*demo, QStringLiteral("dr s")));
        auto refused = caseResult(*m_db, *demo, review::ReferenceRanges::defaults());
        QVERIFY(!refused.ok());
        QVERIFY(QString::fromStdString(refused.error()).contains(QStringLiteral("generated")));
    }

    void loincMapIsEditableAndChecked()
    {
        auto map = LoincMap::fromJson(LoincMap::defaults().toJson());
        VERIFY_OK(map);
        QCOMPARE(map->find(QStringLiteral("neutrophil"))->code, QStringLiteral("26511-2"));
        QVERIFY(!map->find(QStringLiteral("platelet")));
        QVERIFY(!LoincMap::fromJson(R"({"neutrophil": {"code": "NEUT"}})").ok());
        QVERIFY(!LoincMap::fromJson("[1, 2]").ok());
    }
};

QTEST_GUILESS_MAIN(TestResultMessage)
#include "test_resultmessage.moc"
