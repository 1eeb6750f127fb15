#pragma once
// Helpers every cytodiff-cli command shares: option parsing without exit(),
// opening the workspace from --db, printing (redirectable for tests), a
// progress bar for terminals and Ctrl-C as a cancel request.

#include "database.h"
#include "result.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <QElapsedTimer>
#include <atomic>
#include <cstdio>
#include <optional>

class QIODevice;

namespace cytodiff::cli {

// ---- output ----
// Commands print through these so tests can capture the text.
void printOut(const QString &text);
void printErr(const QString &text);
// "<command>: error: <message>" on standard error.
void printError(const QString &command, const QString &message);
void printError(const QString &command, const std::string &message);
// nullptr restores the process's stdout / stderr.
void redirectOutput(QIODevice *out, QIODevice *err);

// ---- options ----
// --db FILE: the workspace (default: defaultWorkspacePath()).
QCommandLineOption databaseOption();

// --accession, --specimen, --patient, --slide: a case's laboratory
// identifiers as typed (issue 24).
struct IdentifierOptions {
    QCommandLineOption accession;
    QCommandLineOption specimen;
    QCommandLineOption patient;
    QCommandLineOption slide;
    IdentifierOptions();
    // whose: "the case's", in the help text.
    void addTo(QCommandLineParser &parser, const QString &whose) const;
    // base with every option given replacing its field.
    db::CaseIdentifiers read(const QCommandLineParser &parser, db::CaseIdentifiers base) const;
};

// Parses args (args[0] is "cytodiff-cli <command>"). Handles --help and
// usage errors itself (printing help or the error), returning the exit
// code to stop with; nullopt means: go on. positional: names for the help
// text; minPositional/maxPositional bound their number (-1: unbounded).
std::optional<int> parseArguments(QCommandLineParser &parser, const QStringList &args, int minPositional,
                                  int maxPositional);

// ---- workspace ----
// Opens the file given with --db, or the default workspace when empty.
Result<db::Database> openDatabaseFromOption(const QString &dbOption);
// The same, printing "<command>: error: <why>" when it cannot be opened.
std::optional<db::Database> openDatabaseOrReport(const QString &command, const QString &dbOption);
// The command's name for messages: the first argument.
QString commandName(const QStringList &args);
// Asks for a laboratory server's password on the terminal without echo;
// a null string when there is no terminal.
QString promptPassword(const QString &serverAddress);

// ---- progress ----
// A one-line progress bar redrawn in place on a terminal (standard error);
// silent when standard error is not a terminal, so logs stay clean.
class ProgressBar {
public:
    explicit ProgressBar(QString label, FILE *stream = stderr);
    ~ProgressBar();
    ProgressBar(const ProgressBar &) = delete;
    ProgressBar &operator=(const ProgressBar &) = delete;

    bool isEnabled() const { return m_enabled; }
    // Redraws at most ten times a second, and always at done == total.
    void update(qint64 done, qint64 total, const QString &detail = {});
    // Ends the line (a no-op when nothing was drawn).
    void finish();

private:
    QString m_label;
    FILE *m_stream = nullptr;
    bool m_enabled = false;
    bool m_drawn = false;
    QElapsedTimer m_sinceDraw;
    int m_width = 80;
};

bool isTerminal(FILE *stream);

// ---- cancel ----
// While alive, the first Ctrl-C (SIGINT) sets flag() instead of killing the
// process, so long jobs can stop cleanly; a second Ctrl-C kills as usual.
class SigintCancel {
public:
    SigintCancel();
    ~SigintCancel();
    SigintCancel(const SigintCancel &) = delete;
    SigintCancel &operator=(const SigintCancel &) = delete;

    const std::atomic<bool> &flag() const;
    bool isCancelled() const { return flag().load(); }
};

} // namespace cytodiff::cli
