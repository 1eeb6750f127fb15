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
    qint64 duplicates = 0;
    qint64 skipped = 0;
    qint64 unknownCodes = 0; // labels kept verbatim but not mapped to a class
    double seconds = 0.0;
    QList<ImportIssue> issues;
};

} // namespace cytodiff::ui

Q_DECLARE_METATYPE(cytodiff::ui::ImportOutcome)
