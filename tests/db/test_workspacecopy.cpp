// Moving a workspace (issue 23 item 6): a workspace file with cases,
// images, labels, predictions, a signature and its audit log goes to an
// empty laboratory-server workspace and back, value for value; the server
// keeps its stamps for what comes after. On a throwaway PostgreSQL cluster.

#include "database.h"
#include "workspacecopy.h"
#include "workspaceengine.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::db;

class TestWorkspaceCopy : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    static NewCell cellOf(qint64 caseId, const QByteArray &bytes, const QString &label)
    {
        NewCell cell;
        cell.caseId = caseId;
        cell.image = bytes;
        cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        cell.width = 360;
        cell.height = 363;
        cell.originalName = QStringLiteral("Zelle «%1».jpg").arg(label);
        cell.sourcePath = label + QStringLiteral("/x.jpg");
        cell.labelClass = label;
        cell.x = 0.1 + 1.0 / 3.0; // a double that text would round
        return cell;
    }

private slots:
    void aFileGoesToAServerAndBackUnchanged()
    {
        const QString file = m_dir.filePath(QStringLiteral("lab.cytodiff"));
        {
            auto source = Database::open(file);
            VERIFY_OK(source);
            NewCase newCase;
            newCase.name = QStringLiteral("O'Brien; DROP TABLE cases");
            newCase.accession = QStringLiteral("A-77");
            auto caseId = source->createCase(newCase);
            VERIFY_OK(caseId);
            QByteArray bytes(4096, '\0');
            for (int i = 0; i < bytes.size(); ++i)
                bytes[i] = char(i * 7);
            auto first = source->insertCell(cellOf(*caseId, bytes, QStringLiteral("neutrophil")));
            auto second = source->insertCell(cellOf(*caseId, "tiny", QStringLiteral("lymphocyte")));
            VERIFY_OK(first);
            VERIFY_OK(second);
            VERIFY_OK(source->insertPrediction(first->cellId, QStringLiteral("m@1"), QStringLiteral("neutrophil"), 0.125,
                                               -2.5, {{QStringLiteral("neutrophil"), 0.9}}, 97));
            VERIFY_OK(source->insertSecondOpinion(first->cellId, QStringLiteral("cnn@2"), QStringLiteral("ig"), 0.6));
            VERIFY_OK(source->setLabel(second->cellId, QStringLiteral("monocyte"), QStringLiteral("dr file")));
            VERIFY_OK(source->signCase(*caseId, QStringLiteral("Dr Haem"), QStringLiteral("reviewed and approved")));
            VERIFY_OK(source->addLabeller(QStringLiteral("Anna"), 12));
        }
        auto source = Database::open(file);
        VERIFY_OK(source);

        QString why;
        const QString server = testing::freshWorkspaceAddress(&why);
        QVERIFY2(!server.isEmpty(), qPrintable(why));
        auto target = Database::open(server);
        VERIFY_OK(target);
        auto copied = copyWorkspace(*source, *target);
        VERIFY_OK(copied);
        qint64 rows = 0;
        for (const CopiedTable &table : *copied)
            rows += table.rows;
        QCOMPARE(rows, qint64(8)); // 1 case, 2 cells, a prediction, a second opinion, 2 audit entries, a labeller

        // As it was: the signer and the audit log's actors are the file's,
        // not the server login that copied them.
        auto signedCase = target->findCase(QStringLiteral("O'Brien; DROP TABLE cases"));
        VERIFY_OK(signedCase);
        QCOMPARE(signedCase->signedBy, QStringLiteral("Dr Haem"));
        QCOMPARE(signedCase->accession, QStringLiteral("A-77"));
        auto log = target->auditLog(QStringLiteral("case"), signedCase->id);
        VERIFY_OK(log);
        QCOMPARE(log->last().actor, QStringLiteral("Dr Haem"));

        // What comes after is the server's again: new ids, stamps, guards.
        NewCase next;
        next.name = QStringLiteral("after the move");
        auto nextId = target->createCase(next);
        VERIFY_OK(nextId);
        QVERIFY(*nextId > signedCase->id);
        VERIFY_OK(target->signCase(*nextId, QStringLiteral("someone")));
        QCOMPARE(target->caseById(*nextId)->signedBy, testing::PgCluster::superuser());
        QVERIFY(!target->execScript("DELETE FROM audit_log").ok());

        // A target that is not empty is refused, and left alone.
        auto refused = copyWorkspace(*source, *target);
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("not empty")), refused.error().c_str());

        // And back to a new file: the same checksums as the original's.
        const QString back = m_dir.filePath(QStringLiteral("back.cytodiff"));
        auto fresh = testing::freshWorkspaceAddress(&why);
        auto middle = Database::open(fresh);
        VERIFY_OK(middle);
        VERIFY_OK(copyWorkspace(*source, *middle));
        auto returned = Database::open(back);
        VERIFY_OK(returned);
        VERIFY_OK(copyWorkspace(*middle, *returned));
        auto original = workspaceChecksums(*source);
        auto roundTrip = workspaceChecksums(*returned);
        VERIFY_OK(original);
        VERIFY_OK(roundTrip);
        for (int i = 0; i < original->size(); ++i) {
            QCOMPARE(roundTrip->at(i).name, original->at(i).name);
            QCOMPARE(roundTrip->at(i).rows, original->at(i).rows);
            QCOMPARE(roundTrip->at(i).sha256, original->at(i).sha256);
        }
        QCOMPARE(*returned->cellImage(1), *source->cellImage(1));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceCopy)
#include "test_workspacecopy.moc"
