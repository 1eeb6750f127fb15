#pragma once
// Which language the GUI speaks. CytoDiff's own messages are embedded as
// resources (:/i18n/cytodiff_<lang>.qm, built from translations/*.ts); Qt's
// standard dialogs use Qt's qtbase_<lang>.qm from the system's Qt
// translations folder (Debian: qt6-translations-l10n).
//
// Installed once in main() before any widget exists: widgets translate
// their texts when they are built, so a change takes effect at next start.

#include <QCoreApplication>
#include <QList>
#include <QLocale>
#include <QString>
#include <QStringList>

namespace cytodiff::ui {

struct UiLanguage {
    QString code;       // "" = follow the system, else "en", "de", ...
    QString nativeName; // as the language calls itself: "Deutsch"
};

struct TranslationResult {
    QLocale locale;          // the locale the GUI now uses
    bool appTranslated = false; // CytoDiff's .qm for this language was loaded
    bool qtTranslated = false;  // Qt's own qtbase .qm was loaded
};

class TranslationLoader {
    Q_DECLARE_TR_FUNCTIONS(TranslationLoader)
public:
    // The choices Settings offers, "System" first.
    static QList<UiLanguage> choices();
    // Languages with an embedded CytoDiff translation ("de", "en", "es",
    // "fr"; "en" holds only the plural forms).
    static QStringList embeddedLanguages();
    // The locale a stored choice stands for: the system locale for "",
    // else that language (keeping the system's territory where CLDR has
    // the pair, e.g. English in Germany).
    static QLocale localeFor(const QString &code);
    // Makes `code` the default locale and installs CytoDiff's and Qt's
    // translators for it on `app` (they are parented to it). A language
    // without a CytoDiff translation gets English (the sources, plus the
    // English plural forms) and Qt's dialogs in English too.
    static TranslationResult install(QCoreApplication *app, const QString &code);
    // Where an installed package may put extra .qm files (a language
    // contributed after the build): bin/../share/cytodiff/translations.
    static QString installedTranslationsDir();
};

} // namespace cytodiff::ui
