#include "translationloader.h"

#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QRegularExpression>
#include <QTranslator>

namespace cytodiff::ui {

namespace {
const QString kEmbeddedDir = QStringLiteral(":/i18n");
const QString kAppBaseName = QStringLiteral("cytodiff");
const QString kQtBaseName = QStringLiteral("qtbase");
const QString kSeparator = QStringLiteral("_");

// Loads `baseName`_<lang>.qm for `locale` from the first folder that has
// one and installs it; the translator then lives as long as the app.
bool installFrom(QCoreApplication *app, const QLocale &locale, const QString &baseName, const QStringList &dirs)
{
    for (const QString &dir : dirs) {
        if (dir.isEmpty())
            continue;
        auto *translator = new QTranslator(app);
        if (translator->load(locale, baseName, kSeparator, dir) && QCoreApplication::installTranslator(translator))
            return true;
        delete translator;
    }
    return false;
}
} // namespace

QList<UiLanguage> TranslationLoader::choices()
{
    // Each language in its own name, so a user who cannot read the
    // current one still finds theirs.
    return {
        {QString(), tr("System language")},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("fr"), QStringLiteral("Français")},
        {QStringLiteral("es"), QStringLiteral("Español")},
    };
}

QStringList TranslationLoader::embeddedLanguages()
{
    QStringList languages;
    const QStringList files = QDir(kEmbeddedDir).entryList({kAppBaseName + QStringLiteral("_*.qm")}, QDir::Files,
                                                           QDir::Name);
    for (const QString &file : files)
        languages << QFileInfo(file).completeBaseName().mid(kAppBaseName.size() + kSeparator.size());
    return languages;
}

QLocale TranslationLoader::localeFor(const QString &code)
{
    if (code.isEmpty())
        return QLocale::system();
    // A hand-edited setting may hold anything; QLocale would read
    // "no-such-language" as Norwegian and "xx" as C. The system's language
    // is the better guess then.
    static const QRegularExpression kCode(QStringLiteral("^[a-z]{2,3}([_-][A-Za-z0-9]{2,4})?$"));
    const QLocale chosen(code);
    if (!kCode.match(code).hasMatch() || chosen.language() == QLocale::C)
        return QLocale::system();
    return QLocale(chosen.language(), QLocale::system().territory());
}

QString TranslationLoader::installedTranslationsDir()
{
    return QDir::cleanPath(QCoreApplication::applicationDirPath()
                           + QStringLiteral("/../share/cytodiff/translations"));
}

TranslationResult TranslationLoader::install(QCoreApplication *app, const QString &code)
{
    TranslationResult result;
    result.locale = localeFor(code);
    QLocale::setDefault(result.locale);
    // Embedded first, so the build's own translation always matches its
    // strings; the installed folder only adds languages built elsewhere.
    result.appTranslated = installFrom(app, result.locale, kAppBaseName, {kEmbeddedDir, installedTranslationsDir()});
    if (!result.appTranslated) {
        // A language CytoDiff does not speak: the sources' English, with
        // English plurals (cytodiff_en holds only those).
        installFrom(app, QLocale(QLocale::English), kAppBaseName, {kEmbeddedDir});
        return result;
    }
    // Qt's own dialogs (file chooser, message-box buttons) in the same
    // language; only when CytoDiff speaks it too, so a window never mixes
    // two foreign languages.
    result.qtTranslated = installFrom(app, result.locale, kQtBaseName,
                                      {QLibraryInfo::path(QLibraryInfo::TranslationsPath)});
    return result;
}

} // namespace cytodiff::ui
