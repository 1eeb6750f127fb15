#include "clisupport.h"

#include "workspace.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <utility>
#include <csignal>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace cytodiff::cli {
namespace {

struct Streams {
    QFile stdoutFile;
    QFile stderrFile;
    QIODevice *out = nullptr;
    QIODevice *err = nullptr;

    Streams()
    {
        // Straight to the file descriptors (no second buffer), so the text
        // keeps its order with the progress bar's stdio writes.
        stdoutFile.open(fileno(stdout), QIODevice::WriteOnly | QIODevice::Unbuffered);
        stderrFile.open(fileno(stderr), QIODevice::WriteOnly | QIODevice::Unbuffered);
        out = &stdoutFile;
        err = &stderrFile;
    }
};

Streams &streams()
{
    static Streams instance;
    return instance;
}

void write(QIODevice *device, const QString &text)
{
    if (device == &streams().stdoutFile || device == &streams().stderrFile)
        std::fflush(nullptr); // anything printed through stdio goes first
    device->write(text.toUtf8());
}

std::atomic<bool> g_sigintFlag{false};
using Handler = void (*)(int);
Handler g_previousHandler = SIG_DFL;

extern "C" void onSigint(int)
{
    // Only async-signal-safe work here: set a lock-free flag and let the
    // next Ctrl-C terminate the process normally.
    g_sigintFlag.store(true);
    std::signal(SIGINT, SIG_DFL);
}

} // namespace

void printOut(const QString &text)
{
    write(streams().out, text);
}

void printErr(const QString &text)
{
    write(streams().err, text);
}

void printError(const QString &command, const QString &message)
{
    printErr(command + QStringLiteral(": error: ") + message + QLatin1Char('\n'));
}

void printError(const QString &command, const std::string &message)
{
    printError(command, QString::fromStdString(message));
}

void redirectOutput(QIODevice *out, QIODevice *err)
{
    streams().out = out ? out : &streams().stdoutFile;
    streams().err = err ? err : &streams().stderrFile;
}

QCommandLineOption databaseOption()
{
    return QCommandLineOption(QStringList{QStringLiteral("db")},
                              QStringLiteral("Workspace: a file (default: the per-user workspace) or a laboratory "
                                             "server, postgresql://user@host:port/dbname (password from ~/.pgpass, "
                                             "PGPASSFILE or a prompt; never in the address)."),
                              QStringLiteral("file|server"));
}

IdentifierOptions::IdentifierOptions()
    : accession(QStringLiteral("accession"), {}, QStringLiteral("number"))
    , specimen(QStringLiteral("specimen"), {}, QStringLiteral("id"))
    , patient(QStringLiteral("patient"), {}, QStringLiteral("id"))
    , slide(QStringLiteral("slide"), {}, QStringLiteral("id"))
{
}

void IdentifierOptions::addTo(QCommandLineParser &parser, const QString &whose) const
{
    for (auto [option, what] : {std::pair{accession, QStringLiteral("accession (order) number")},
                                std::pair{specimen, QStringLiteral("specimen id")},
                                std::pair{patient, QStringLiteral("patient id")},
                                std::pair{slide, QStringLiteral("slide id")}}) {
        option.setDescription(QStringLiteral("Set %1 %2, exactly as given.").arg(whose, what));
        parser.addOption(option);
    }
}

db::CaseIdentifiers IdentifierOptions::read(const QCommandLineParser &parser, db::CaseIdentifiers base) const
{
    if (parser.isSet(accession))
        base.accession = parser.value(accession);
    if (parser.isSet(specimen))
        base.specimen = parser.value(specimen);
    if (parser.isSet(patient))
        base.patientId = parser.value(patient);
    if (parser.isSet(slide))
        base.slideId = parser.value(slide);
    return base;
}

std::optional<int> parseArguments(QCommandLineParser &parser, const QStringList &args, int minPositional,
                                  int maxPositional)
{
    const QString command = args.value(0, QStringLiteral("cytodiff-cli"));
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(args)) {
        printError(command, parser.errorText());
        printErr(QStringLiteral("Run '%1 --help' for usage.\n").arg(command));
        return 2;
    }
    if (parser.isSet(help)) {
        // QCommandLineParser names the executable only; show the command.
        QString text = parser.helpText();
        const QString usage = QStringLiteral("Usage: ");
        for (const QString &program : {QCoreApplication::arguments().value(0),
                                       QFileInfo(QCoreApplication::applicationFilePath()).fileName()}) {
            if (!program.isEmpty() && text.startsWith(usage + program + QLatin1Char(' '))) {
                text.replace(usage.size(), program.size(), command);
                break;
            }
        }
        printOut(text);
        return 0;
    }
    const auto count = parser.positionalArguments().size();
    if (count < minPositional || (maxPositional >= 0 && count > maxPositional)) {
        const QString why = count < minPositional ? QStringLiteral("missing argument")
                                                  : QStringLiteral("unexpected argument '%1'")
                                                        .arg(parser.positionalArguments().at(maxPositional));
        printError(command, why);
        printErr(QStringLiteral("Run '%1 --help' for usage.\n").arg(command));
        return 2;
    }
    return std::nullopt;
}

Result<db::Database> openDatabaseFromOption(const QString &dbOption)
{
    QString path = dbOption;
    if (path.isEmpty()) {
        auto fallback = db::defaultWorkspacePath();
        if (!fallback)
            return makeError(fallback.error());
        path = *fallback;
    }
    db::OpenOptions options;
    options.askPassword = promptPassword;
    return db::Database::open(path, options);
}

std::optional<db::Database> openDatabaseOrReport(const QString &command, const QString &dbOption)
{
    auto opened = openDatabaseFromOption(dbOption);
    if (!opened) {
        printError(command, opened.error());
        return std::nullopt;
    }
    return std::move(*opened);
}

QString commandName(const QStringList &args)
{
    return args.value(0, QStringLiteral("cytodiff-cli"));
}

QString promptPassword(const QString &serverAddress)
{
    // On the terminal itself, without echo, so that neither a pipe into
    // stdin nor the screen sees it; no terminal: no prompt (use ~/.pgpass).
    FILE *tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        return {};
    const int fd = fileno(tty);
    termios saved{};
    const bool canHide = tcgetattr(fd, &saved) == 0;
    std::fprintf(tty, "Password for %s: ", serverAddress.toLocal8Bit().constData());
    std::fflush(tty);
    if (canHide) {
        termios hidden = saved;
        hidden.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(fd, TCSAFLUSH, &hidden);
    }
    char buffer[1024] = {};
    const bool read = std::fgets(buffer, sizeof buffer, tty) != nullptr;
    if (canHide)
        tcsetattr(fd, TCSAFLUSH, &saved);
    std::fprintf(tty, "\n");
    std::fclose(tty);
    if (!read)
        return {};
    QString password = QString::fromLocal8Bit(buffer);
    while (password.endsWith(QLatin1Char('\n')) || password.endsWith(QLatin1Char('\r')))
        password.chop(1);
    std::fill(std::begin(buffer), std::end(buffer), '\0');
    return password;
}

bool isTerminal(FILE *stream)
{
    return stream && isatty(fileno(stream)) == 1;
}

ProgressBar::ProgressBar(QString label, FILE *stream)
    : m_label(std::move(label)), m_stream(stream), m_enabled(isTerminal(stream))
{
    if (m_enabled) {
        winsize size{};
        if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col >= 40)
            m_width = size.ws_col;
    }
}

ProgressBar::~ProgressBar()
{
    finish();
}

void ProgressBar::update(qint64 done, qint64 total, const QString &detail)
{
    if (!m_enabled)
        return;
    if (m_drawn && done < total && m_sinceDraw.isValid() && m_sinceDraw.elapsed() < 100)
        return;
    m_sinceDraw.restart();
    const int barWidth = 24;
    const double fraction = total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0;
    const int filled = static_cast<int>(fraction * barWidth);
    QString line = QStringLiteral("%1 [%2%3] %4/%5 %6%")
                       .arg(m_label, QString(filled, QLatin1Char('#')), QString(barWidth - filled, QLatin1Char('.')))
                       .arg(done)
                       .arg(total)
                       .arg(static_cast<int>(fraction * 100.0), 3);
    if (!detail.isEmpty())
        line += QLatin1Char(' ') + detail;
    // Cut to the terminal width so that "\r" returns to the same line.
    if (line.size() > m_width - 1)
        line = line.left(m_width - 2) + QChar(0x2026);
    line = line.leftJustified(m_width - 1);
    std::fputs((QLatin1Char('\r') + line).toUtf8().constData(), m_stream);
    std::fflush(m_stream);
    m_drawn = true;
}

void ProgressBar::finish()
{
    if (m_enabled && m_drawn) {
        std::fputs("\n", m_stream);
        std::fflush(m_stream);
        m_drawn = false;
    }
}

SigintCancel::SigintCancel()
{
    g_sigintFlag.store(false);
    g_previousHandler = std::signal(SIGINT, onSigint);
}

SigintCancel::~SigintCancel()
{
    std::signal(SIGINT, g_previousHandler == SIG_ERR ? SIG_DFL : g_previousHandler);
}

const std::atomic<bool> &SigintCancel::flag() const
{
    return g_sigintFlag;
}

} // namespace cytodiff::cli
