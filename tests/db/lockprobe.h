#pragma once
// Looks at a workspace from outside core/db: its SQLite locks from another
// process, and its contents through a plain connection (issue 19's
// data-loss tests).

#include <QString>

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cytodiff::testing {

// SQLite's lock bytes in the main database file (its os.h): a connection
// holds a read lock in [kSharedFirst, kSharedFirst + kSharedSize) while it
// has the file open in WAL mode.
constexpr off_t kPendingByte = 0x40000000;
constexpr off_t kSharedFirst = kPendingByte + 2;
constexpr off_t kSharedSize = 510;

// Asks, from another process, whether anybody holds a lock that would stop
// a writer taking the whole shared range: what a second SQLite process
// checks before it treats itself as the last connection. The child only
// calls async-signal-safe functions.
inline bool anotherProcessSeesLock(const QString &path)
{
    const QByteArray name = path.toLocal8Bit();
    const pid_t child = fork();
    if (child == 0) {
        const int fd = ::open(name.constData(), O_RDWR);
        if (fd < 0)
            _exit(2);
        struct flock probe {};
        probe.l_type = F_WRLCK;
        probe.l_whence = SEEK_SET;
        probe.l_start = kSharedFirst;
        probe.l_len = kSharedSize;
        if (::fcntl(fd, F_GETLK, &probe) != 0)
            _exit(3);
        _exit(probe.l_type == F_UNLCK ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

// The first column of the first row of a query, through a plain read-only
// sqlite3 connection (not core/db): what another program would read.
inline QString rawText(const QString &path, const char *sql)
{
    sqlite3 *handle = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &handle, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *statement = nullptr;
    QString text;
    if (sqlite3_prepare_v2(handle, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        text = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    sqlite3_close(handle);
    return text;
}

} // namespace cytodiff::testing
