#pragma once
// Helpers for tests that drive the real cytodiff-cli executable in another
// process (crash safety, concurrent writers): synthetic exports, running
// and killing the CLI, and a raw read-only view of the workspace file that
// does not go through core/db (so it can look while the CLI writes).

#include "testimages.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QProcess>
#include <QStringList>
#include <QThread>

#include <sqlite3.h>

#include <functional>
#include <memory>

namespace cytodiff::testing {

// The eight classes of tests/data/tiny-pbc8.pt.
inline const QStringList kTinyClasses = {
    QStringLiteral("basophil"), QStringLiteral("eosinophil"), QStringLiteral("erythroblast"), QStringLiteral("ig"),
    QStringLiteral("lymphocyte"), QStringLiteral("monocyte"), QStringLiteral("neutrophil"), QStringLiteral("platelet")};

inline const QString kTinyModelPath = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
inline const QString kCliPath = QStringLiteral(CYTODIFF_CLI_PATH);

// <root>/<class>/<class>_<i>.jpg, count images spread over the classes;
// seeds from firstSeed on, so two exports with different seeds share no image.
inline bool writeExport(const QString &root, int count, int firstSeed = 1)
{
    for (int i = 0; i < count; ++i) {
        const QString cls = kTinyClasses.at(i % kTinyClasses.size());
        if (!writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(root, cls).arg(i), firstSeed + i))
            return false;
    }
    return true;
}

inline std::unique_ptr<QProcess> startCli(const QStringList &args)
{
    auto process = std::make_unique<QProcess>();
    process->setProgram(kCliPath);
    process->setArguments(args);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start();
    process->waitForStarted();
    return process;
}

struct CliRun {
    int exitCode = -1;
    QString err;
};

inline CliRun runCli(const QStringList &args, int timeoutMs = 240000)
{
    auto process = startCli(args);
    CliRun run;
    if (!process->waitForFinished(timeoutMs) || process->exitStatus() != QProcess::NormalExit) {
        process->kill();
        process->waitForFinished();
        run.err = QStringLiteral("cytodiff-cli did not finish: ") + process->errorString();
        return run;
    }
    run.exitCode = process->exitCode();
    run.err = QString::fromUtf8(process->readAllStandardError());
    return run;
}

// A read-only SQLite connection for looking at the file from outside.
class RawView {
public:
    explicit RawView(const QString &path)
    {
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            sqlite3_close(m_db);
            m_db = nullptr;
        }
        if (m_db)
            sqlite3_busy_timeout(m_db, 5000);
    }
    ~RawView() { sqlite3_close(m_db); }
    RawView(const RawView &) = delete;
    RawView &operator=(const RawView &) = delete;

    bool isOpen() const { return m_db != nullptr; }

    // Rows of text columns; empty on any error (for example a table that
    // the CLI has not created yet).
    QList<QStringList> rows(const char *sql) const
    {
        QList<QStringList> result;
        sqlite3_stmt *statement = nullptr;
        if (!m_db || sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) != SQLITE_OK) {
            sqlite3_finalize(statement);
            return result;
        }
        while (sqlite3_step(statement) == SQLITE_ROW) {
            QStringList row;
            for (int c = 0; c < sqlite3_column_count(statement); ++c) {
                const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, c));
                row.append(text ? QString::fromUtf8(text) : QString());
            }
            result.append(row);
        }
        sqlite3_finalize(statement);
        return result;
    }

    qint64 count(const char *sql) const
    {
        const auto result = rows(sql);
        return result.isEmpty() ? 0 : result.first().value(0).toLongLong();
    }

    // Cells whose stored bytes do not hash to their sha256 column.
    int tornImages() const
    {
        int torn = 0;
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(m_db, "SELECT sha256, image FROM cells", -1, &statement, nullptr) != SQLITE_OK)
            return -1;
        while (sqlite3_step(statement) == SQLITE_ROW) {
            const QByteArray image(static_cast<const char *>(sqlite3_column_blob(statement, 1)),
                                   sqlite3_column_bytes(statement, 1));
            const QString expected = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
            if (QString::fromLatin1(QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex()) != expected)
                ++torn;
        }
        sqlite3_finalize(statement);
        return torn;
    }

private:
    sqlite3 *m_db = nullptr;
};

// Polls until ready() or the process ends; true when ready() held while
// the process was still running. waitForFinished() is what updates the
// QProcess state without an event loop.
inline bool waitWhileRunning(QProcess &process, const std::function<bool()> &ready, int timeoutMs = 240000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (ready()) {
            process.waitForFinished(0);
            return process.state() == QProcess::Running;
        }
        process.waitForFinished(2);
        if (process.state() != QProcess::Running)
            return false;
    }
    return false;
}

} // namespace cytodiff::testing
