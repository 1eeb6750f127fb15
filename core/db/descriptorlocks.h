#pragma once
// Makes SQLite's file locks in this process immune to other code closing
// the workspace file.
//
// SQLite's unix VFS locks with POSIX advisory locks (fcntl F_SETLK), which
// belong to the process: close() of ANY descriptor on the same file drops
// all of them. Qt's file dialogs sniff every listed file's MIME type
// (QFileSystemModel -> QFileIconProvider -> QMimeDatabase opens and closes
// it), so pointing File > Import... at the folder that holds the open
// workspace silently unlocked it; a CLI run on the workspace then saw no
// other user, checkpointed and deleted the WAL under the running app, and
// the app's later writes were lost (the field test of issue 19, reproduced
// with strace). Nothing a Qt, GTK or thumbnailer library does can be
// trusted never to open the file, so the fix is at the lock itself:
// installDescriptorLocks() swaps SQLite's fcntl for one that takes Linux
// open-file-description locks (F_OFD_SETLK) on one descriptor per file that
// only this module owns and closes. OFD locks conflict with other
// processes' POSIX locks exactly as POSIX locks do (the CLI, sqlite3 and
// older CytoDiff builds interoperate), but a close() elsewhere does not
// touch them.

#include "result.h"

namespace cytodiff::db {

// Idempotent and thread-safe; Database::open calls it before the first
// connection. Fails (and changes nothing) only when SQLite's unix VFS does
// not offer system-call overrides.
Result<void> installDescriptorLocks();

// True once installed and the kernel accepted an OFD lock (or before the
// first lock, while installed). False when the kernel refused OFD locks
// and the module fell back to POSIX locks (Linux < 3.15, or not Linux).
bool descriptorLocksActive();

} // namespace cytodiff::db
