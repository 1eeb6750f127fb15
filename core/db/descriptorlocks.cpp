#include "descriptorlocks.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace cytodiff::db {
namespace {

using FcntlFn = int (*)(int, int, ...);
using CloseFn = int (*)(int);

FcntlFn g_systemFcntl = nullptr;
CloseFn g_systemClose = nullptr;
std::atomic<bool> g_installed{false};
// Set when the kernel answers EINVAL to an OFD command: from then on every
// lock is passed through as SQLite asked (the old behaviour).
std::atomic<bool> g_ofdRefused{false};
// Once one OFD lock was granted the kernel supports them; a later EINVAL is
// a real error, not a reason to switch lock kinds half-way.
std::atomic<bool> g_ofdGranted{false};

struct FileKey {
    dev_t device = 0;
    ino_t inode = 0;
    auto operator<=>(const FileKey &) const = default;
};

// The one descriptor that carries this process's locks on a file, and the
// SQLite descriptors that locked through it.
struct LockOwner {
    int descriptor = -1;
    std::set<int> users;
};

std::mutex g_mutex;
std::map<FileKey, LockOwner> g_owners;

std::optional<FileKey> keyOf(int fd)
{
    struct stat info {};
    if (::fstat(fd, &info) != 0)
        return std::nullopt;
    return FileKey{info.st_dev, info.st_ino};
}

int ofdCommand(int cmd)
{
#if defined(F_OFD_SETLK)
    switch (cmd) {
    case F_SETLK:
        return F_OFD_SETLK;
    case F_SETLKW:
        return F_OFD_SETLKW;
    case F_GETLK:
        return F_OFD_GETLK;
    default:
        return 0;
    }
#else
    (void)cmd;
    return 0;
#endif
}

// The owner descriptor of fd's file, made the first time. A write lock
// needs a descriptor open for writing, and the first SQLite descriptor may
// be read-only, so the file is opened again read-write through
// /proc/self/fd (the same inode even if renamed); a file this user may not
// write gets a duplicate of fd, as POSIX locking would. Needs g_mutex.
int ownerDescriptor(int fd, const FileKey &key)
{
    LockOwner &owner = g_owners[key];
    if (owner.descriptor < 0) {
        const std::string self = "/proc/self/fd/" + std::to_string(fd);
        owner.descriptor = ::open(self.c_str(), O_RDWR | O_CLOEXEC);
        if (owner.descriptor >= 0 && keyOf(owner.descriptor) != std::optional<FileKey>(key)) {
            g_systemClose(owner.descriptor);
            owner.descriptor = -1;
        }
        if (owner.descriptor < 0)
            owner.descriptor = g_systemFcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (owner.descriptor < 0) {
            const int error = errno;
            g_owners.erase(key);
            errno = error;
            return -1;
        }
    }
    owner.users.insert(fd);
    return owner.descriptor;
}

int lockingFcntl(int fd, int cmd, ...)
{
    // glibc's fcntl reads its third argument as a pointer whatever cmd is;
    // pass it on the same way.
    va_list args;
    va_start(args, cmd);
    void *argument = va_arg(args, void *);
    va_end(args);

    const int ofd = ofdCommand(cmd);
    if (ofd == 0 || g_ofdRefused.load())
        return g_systemFcntl(fd, cmd, argument);

    auto *callerLock = static_cast<struct flock *>(argument);
    const std::optional<FileKey> key = keyOf(fd);
    if (!key)
        return -1;

    int owner = -1;
    {
        std::lock_guard guard(g_mutex);
        owner = ownerDescriptor(fd, *key);
        if (owner < 0)
            return -1;
        // A blocking wait must not hold the mutex; a private duplicate keeps
        // the description alive even if SQLite closes its last descriptor.
        if (cmd == F_SETLKW)
            owner = g_systemFcntl(owner, F_DUPFD_CLOEXEC, 0);
        if (owner < 0)
            return -1;
    }

    struct flock lock = *callerLock;
    lock.l_pid = 0; // OFD commands insist on it
    const int rc = g_systemFcntl(owner, ofd, &lock);
    const int error = errno;
    if (cmd == F_SETLKW)
        g_systemClose(owner);
    if (rc == 0)
        g_ofdGranted = true;
    if (rc != 0 && error == EINVAL && !g_ofdGranted.load() && !g_ofdRefused.exchange(true))
        return g_systemFcntl(fd, cmd, argument); // an old kernel: POSIX locks as before
    if (rc == 0 && cmd == F_GETLK)
        *callerLock = lock;
    errno = error;
    return rc;
}

int trackingClose(int fd)
{
    if (const std::optional<FileKey> key = keyOf(fd)) {
        std::lock_guard guard(g_mutex);
        auto it = g_owners.find(*key);
        if (it != g_owners.end()) {
            // SQLite is written against POSIX semantics and closes one of its
            // descriptors only when this process may lose every lock on the
            // file (it parks descriptors otherwise), so dropping them all
            // here is what it expects.
            struct flock all {};
            all.l_type = F_UNLCK;
            all.l_whence = SEEK_SET;
            if (ofdCommand(F_SETLK) != 0)
                g_systemFcntl(it->second.descriptor, ofdCommand(F_SETLK), &all);
            it->second.users.erase(fd);
            if (it->second.users.empty()) {
                g_systemClose(it->second.descriptor);
                g_owners.erase(it);
            }
        }
    }
    return g_systemClose(fd);
}

} // namespace

Result<void> installDescriptorLocks()
{
    static std::once_flag once;
    static Result<void> outcome;
    std::call_once(once, [] {
        sqlite3_vfs *vfs = sqlite3_vfs_find("unix");
        if (!vfs || vfs->iVersion < 3 || !vfs->xSetSystemCall || !vfs->xGetSystemCall) {
            outcome = makeError("SQLite's unix file layer offers no system-call overrides");
            return;
        }
        g_systemFcntl = reinterpret_cast<FcntlFn>(vfs->xGetSystemCall(vfs, "fcntl"));
        g_systemClose = reinterpret_cast<CloseFn>(vfs->xGetSystemCall(vfs, "close"));
        if (!g_systemFcntl || !g_systemClose) {
            outcome = makeError("SQLite's unix file layer does not name fcntl and close");
            return;
        }
        // close first: a lock taken through lockingFcntl must never be
        // released by a close that does not know about it.
        if (vfs->xSetSystemCall(vfs, "close", reinterpret_cast<sqlite3_syscall_ptr>(&trackingClose)) != SQLITE_OK
            || vfs->xSetSystemCall(vfs, "fcntl", reinterpret_cast<sqlite3_syscall_ptr>(&lockingFcntl))
                   != SQLITE_OK) {
            vfs->xSetSystemCall(vfs, "close", reinterpret_cast<sqlite3_syscall_ptr>(g_systemClose));
            outcome = makeError("SQLite refused the lock override");
            return;
        }
        g_installed = true;
    });
    return outcome;
}

bool descriptorLocksActive()
{
    return g_installed.load() && !g_ofdRefused.load() && ofdCommand(F_SETLK) != 0;
}

} // namespace cytodiff::db
