// The GUI's entry point: application identity, command line, first
// workspace. Everything else lives in the cytodiff_ui library.

#include "appsettings.h"
#include "mainwindow.h"
#include "numbertext.h"
#include "translationloader.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>

#include <cstdio>
#include <cstring>

namespace {

const char *const kVersion = CYTODIFF_VERSION;

// --version and --help must work without a display (scripts, CI, SSH), so
// they are answered before QApplication connects to the window system.
bool answerWithoutGui(int argc, char **argv, int *exitCode)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("CytoDiff %s\n", kVersion);
            *exitCode = 0;
            return true;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: cytodiff [--db PATH] [--model MODEL.pt]\n\n"
                        "CytoDiff: review and classification of blood-cell images.\n\n"
                        "Options:\n"
                        "  --db PATH      open (or create) this workspace file\n"
                        "  --model PT     classify with this model file (kept in Settings)\n"
                        "  -v, --version  print the version and exit\n"
                        "  -h, --help     print this help and exit\n");
            *exitCode = 0;
            return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    int exitCode = 0;
    if (answerWithoutGui(argc, argv, &exitCode))
        return exitCode;

    QApplication app(argc, argv);
    cytodiff::keepCNumberNotation();
    // The same identity as cytodiff-cli, so both find the same default
    // workspace and settings.
    QApplication::setOrganizationName(QStringLiteral("CytoDiff"));
    QApplication::setApplicationName(QStringLiteral("CytoDiff"));
    // Lets Wayland docks match the window to installer/cytodiff.desktop.
    QGuiApplication::setDesktopFileName(QStringLiteral("cytodiff"));
    QApplication::setApplicationVersion(QString::fromLatin1(kVersion));
    QApplication::setApplicationDisplayName(QStringLiteral("CytoDiff"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/cytodiff.svg")));
    // After the identity (the choice is in QSettings) and before any
    // translated text: the parser's help and every widget are translated
    // as they are built.
    cytodiff::ui::TranslationLoader::install(&app, cytodiff::ui::AppSettings::language());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Review and classification of blood-cell images."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QApplication::translate("main", "Open (or create) this workspace file."),
        QStringLiteral("PATH"));
    parser.addOption(dbOption);
    const QCommandLineOption modelOption(
        QStringLiteral("model"),
        QApplication::translate("main", "Classify with this model file (kept as the model in Settings)."),
        QStringLiteral("PT"));
    parser.addOption(modelOption);
    parser.process(app);
    // Before the window exists, so its classifier starts with this model.
    if (parser.isSet(modelOption))
        cytodiff::ui::AppSettings::setModelPath(QFileInfo(parser.value(modelOption)).absoluteFilePath());

    cytodiff::ui::MainWindow window;
    window.show();

    // An explicit --db wins (opened or created); else the last workspace,
    // which must still exist; else the default one. One that cannot be
    // opened is never silently replaced by another: the window says why
    // and offers its backups, another file or the default
    // (MainWindow::openWorkspaceAtStartup).
    auto fallback = cytodiff::db::defaultWorkspacePath();
    const QString defaultPath = fallback ? *fallback : QString();
    QString path = parser.value(dbOption);
    bool mustExist = false;
    if (path.isEmpty() && !cytodiff::ui::AppSettings::lastWorkspace().isEmpty()) {
        path = cytodiff::ui::AppSettings::lastWorkspace();
        mustExist = true;
    }
    if (path.isEmpty())
        path = defaultPath;
    if (!path.isEmpty())
        window.openWorkspaceAtStartup(path, mustExist, defaultPath);

    return app.exec();
}
