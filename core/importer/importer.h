#pragma once
// Imports a CellaVision-style export folder into the case database.
//
// Files are processed in batches; each batch is one transaction, so a
// crash, an error or a cancel leaves the database with whole batches only.
// Every file is read, hashed (SHA-256; a file already in the workspace is a
// duplicate and adds nothing) and decoded with imaging::probe; files that
// fail are skipped and listed with the reason, the rest completes. A
// duplicate whose label differs from its kept copy's (the same image in
// two class folders) is also listed as a label conflict, with both paths
// and labels: the label kept is the first copy's.
//
// Threading: call from any thread with a Database opened on that thread.
// Reading and decoding use a few worker threads internally; the callbacks
// are always called on the calling thread.

#include "importplan.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::importer {

struct ImportOptions {
    QString caseName;       // see planImport(); empty: the folder's name
    int batchSize = 200;    // files per transaction
    int threads = 0;        // decoding threads; 0: one per core, at most 8
    QString actor;          // who imports, for the audit log; empty: the OS user
    // Typed by the user for the one case the import makes (added to what the
    // export gives; a different value for a field the export gives is
    // refused, see ImportPlan::setTypedIdentifiers).
    db::CaseIdentifiers identifiers;
};

struct ImportCallbacks {
    // After each file: files done (imported, duplicate or skipped), total,
    // and the file's path relative to the root.
    std::function<void(int done, int total, const QString &currentFile)> progress;
    // Polled before each file; either way of cancelling works.
    std::function<bool()> isCancelled;
    const std::atomic<bool> *cancelFlag = nullptr;
};

struct SkippedFile {
    QString path;   // relative to the import root
    QString reason;
};

// The same image (same SHA-256) under two labels. The first copy keeps its
// label; the other is not imported.
struct LabelConflict {
    QString path;      // the copy not imported, relative to the import root
    QString label;     // its label: the class id, or the raw code when the code has no class
    QString keptPath;  // the copy that was kept: relative to the root, or the workspace cell's source path
    QString keptLabel; // the label kept (for a workspace cell: its label now)
    QString keptCase;  // keptInWorkspace: the case that holds it
    bool keptInWorkspace = false; // imported before this run
};

struct ImportReport {
    QString root;
    Layout layout = Layout::Unlabelled;
    int classTableVersion = 0;
    int total = 0;      // files considered
    int imported = 0;   // new cells
    int duplicates = 0; // already in the workspace (or twice in the export), conflicts included
    QList<LabelConflict> labelConflicts; // duplicates whose label differs from the kept copy's
    QList<SkippedFile> skipped;
    QMap<QString, int> perClass;     // canonical class -> imported cells ("" = unlabelled)
    QMap<QString, int> unknownCodes; // raw code not in the synonym table -> imported cells
    QStringList casesCreated;
    QStringList casesUpdated;        // existing cases that received cells
    QStringList notes;               // from planning (ignored folders, manifest warnings)
    bool cancelled = false;
    // A database failure that stopped the import (busy, disk full...);
    // whole batches before it are kept.
    QString error;
    qint64 elapsedMs = 0;

    double cellsPerSecond() const;
    bool completed() const { return !cancelled && error.isEmpty(); }
};

// Fails (imports nothing) when the folder cannot be read or the workspace
// cannot be written; otherwise returns a report, also after a cancel or a
// mid-way database error (see ImportReport::error).
Result<ImportReport> importFolder(db::Database &db, const QString &root, const ImportOptions &options = {},
                                  const ImportCallbacks &callbacks = {});

// Same, for a plan made beforehand (e.g. shown to the user first).
Result<ImportReport> importPlan(db::Database &db, const ImportPlan &plan, const ImportOptions &options = {},
                                const ImportCallbacks &callbacks = {});

// Who acts when nobody was named: the operating system's login name.
QString defaultActor();

// One line for a person: "neutrophil/SNE_2.jpg (neutrophil) is the same
// image as basophil/BA_1.jpg (basophil); kept: basophil".
QString describeConflict(const LabelConflict &conflict);

} // namespace cytodiff::importer
