#pragma once
// What an import did, in GUI terms: the importer's report converted to Qt
// types inside the worker thread, so that only plain values cross the
// thread boundary (queued signals copy them).

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace cytodiff::ui {

struct ImportIssue {
    QString file;   // path relative to the imported folder where possible
    QString reason; // user-readable, e.g. "truncated JPEG"
};

// The same image under two labels (a conflicting label): one copy was not
// imported, and which label the workspace kept.
struct ImportConflict {
    QString file;       // the copy not imported, relative to the imported folder
    QString label;      // its label: a class id, or an export code without a class
    QString keptFile;   // the copy kept: in this folder, or the workspace cell's source path
    QString keptLabel;  // the label kept
    QString keptCase;   // keptInWorkspace: the case holding the kept copy
    bool keptInWorkspace = false;
};

struct ImportOutcome {
    // False when the import could not run at all (folder missing, workspace
    // not writable...); fatalError then says why. Skipped files are not
    // failures: they are listed in issues.
    bool ran = false;
    bool cancelled = false;
    QString fatalError;
    QString folder;
    QString layout;       // detected layout, human readable
    QStringList caseNames; // cases created or added to
    qint64 imported = 0;
    qint64 duplicates = 0; // conflicts included
    qint64 skipped = 0;
    qint64 unknownCodes = 0; // labels kept verbatim but not mapped to a class
    double seconds = 0.0;
    QList<ImportIssue> issues;
    QList<ImportConflict> conflicts;
    // Cases whose images differ from the model's training images: "case: what
    // differs" (the domain check's image half; classification completes it).
    QStringList domainWarnings;
};

} // namespace cytodiff::ui

Q_DECLARE_METATYPE(cytodiff::ui::ImportOutcome)
