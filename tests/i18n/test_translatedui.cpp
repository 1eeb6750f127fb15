// The GUI in another language: the embedded German translation is found
// and installed, the main window, start page and class names are German,
// keys stay what the README documents, and every message of the committed
// German .ts is what the running program shows. Also the language choice
// in Settings.

#include "appsettings.h"
#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "celldetailspanel.h"
#include "classificationnotices.h"
#include "cellzoomdialog.h"
#include "counttext.h"
#include "democase.h"
#include "heatmapview.h"
#include "labellingdialogs.h"
#include "labellingview.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "startpage.h"
#include "translationloader.h"
#include "turingbuilddialog.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QLibraryInfo>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTranslator>
#include <QTest>
#include <QXmlStreamReader>

using namespace cytodiff::ui;

class TestTranslatedUi : public QObject {
    Q_OBJECT

    // The app installs one language per run; tests switch between them.
    static bool switchTo(const QString &language)
    {
        for (QTranslator *translator : qApp->findChildren<QTranslator *>())
            QCoreApplication::removeTranslator(translator);
        return TranslationLoader::install(qApp, language).appTranslated;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_translatedui"));
        QSettings().clear();
    }

    // Runs before any translator is installed (slots run in this order).
    void englishHasItsPluralForms()
    {
        const TranslationResult result = TranslationLoader::install(qApp, QStringLiteral("en"));
        QVERIFY(result.appTranslated);
        QCOMPARE(QLocale().language(), QLocale::English);
        QCOMPARE(CellClassNames::displayName(QStringLiteral("neutrophil")), QStringLiteral("Neutrophil"));
        QCOMPARE(CountText::cells(1), QStringLiteral("1 cell"));
        QCOMPARE(CountText::cells(2), QStringLiteral("2 cells"));
        QCOMPARE(CountText::cases(0), QStringLiteral("0 cases"));
        // A hand-edited, unknown code falls back to the system language.
        for (const char *bad : {"no-such-language", "xx", "de;rm -rf"})
            QCOMPARE(TranslationLoader::localeFor(QLatin1String(bad)).language(), QLocale::system().language());
        QCOMPARE(TranslationLoader::localeFor(QStringLiteral("fr")).language(), QLocale::French);
    }

    void theThreeLanguagesAreEmbedded()
    {
        const QStringList languages = TranslationLoader::embeddedLanguages();
        for (const char *lang : {"en", "de", "fr", "es"})
            QVERIFY2(languages.contains(QLatin1String(lang)), qPrintable(languages.join(QLatin1Char(' '))));
    }

    void mainWindowSpeaksGerman()
    {
        const TranslationResult result = TranslationLoader::install(qApp, QStringLiteral("de"));
        QVERIFY(result.appTranslated);
        QCOMPARE(QLocale().language(), QLocale::German);
        // Qt's own dialogs too, where Debian's qt6-translations-l10n is in.
        if (QFile::exists(QLibraryInfo::path(QLibraryInfo::TranslationsPath) + QStringLiteral("/qtbase_de.qm"))) {
            QVERIFY(result.qtTranslated);
            QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Abbrechen"));
        }

        QTemporaryDir dir;
        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("leer.cytodiff"))).ok());
        QCOMPARE(window.menuBar()->actions().value(0)->text(), QStringLiteral("&Datei"));
        auto *title = window.startPage()->findChild<QLabel *>(QStringLiteral("startTitle"));
        QVERIFY(title);
        QCOMPARE(title->text(), QStringLiteral("Noch keine Fälle"));
        auto *import = window.startPage()->findChild<QPushButton *>(QStringLiteral("startImportButton"));
        QVERIFY(import);
        QCOMPARE(import->text(), QStringLiteral("CellaVision-Export importieren…"));
    }

    // Each mechanism that picks a translation context: tr() in a QObject,
    // Q_DECLARE_TR_FUNCTIONS, QT_TRANSLATE_NOOP tables.
    void helpersSpeakGerman()
    {
        QCOMPARE(CellClassNames::displayName(QStringLiteral("neutrophil")), QStringLiteral("Neutrophiler Granulozyt"));
        QCOMPARE(CellClassNames::displayName(QStringLiteral("ig")), QStringLiteral("Unreifer Granulozyt"));
        // Stored keys stay English; unknown export codes are shown verbatim.
        QCOMPARE(CellClassNames::displayName(QStringLiteral("XYZ")), QStringLiteral("XYZ"));
        QCOMPARE(CountText::cells(1), QStringLiteral("1 Zelle"));
        QCOMPARE(CountText::cells(1012), QStringLiteral("1.012 Zellen"));
        QCOMPARE(cytodiff::demo::defaultDemoCaseName(), QStringLiteral("DEMO — synthetische Zellen"));
        // The review keys of the README do not move with the language.
        QCOMPARE(CellClassKeys::keyText(QStringLiteral("variant_lymphocyte")), QStringLiteral("V"));
        QCOMPARE(CellClassKeys::classForKey(Qt::Key_S), QStringLiteral("smudge"));
        // The labelling keys are the review's class keys, in key order
        // (docs/labelling.md), although the buttons show German names.
        QString labellingLetters;
        for (const LabellingKey &key : labellingKeys({QStringLiteral("basophil"), QStringLiteral("blast"),
                                                      QStringLiteral("lymphocyte"), QStringLiteral("monocyte"),
                                                      QStringLiteral("neutrophil"), QStringLiteral("erythroblast"),
                                                      QStringLiteral("eosinophil"), QStringLiteral("ig"),
                                                      QStringLiteral("platelet"), QStringLiteral("artefact")}))
            labellingLetters += key.keyText;
        QCOMPARE(labellingLetters, QStringLiteral("123456789A"));
    }

    // What a classification run says before its first cell, in German
    // (the core words it in English for the CLI and the journal).
    void classificationNoticesSpeakGerman()
    {
        QVERIFY(switchTo(QStringLiteral("de")));
        cytodiff::classify::DomainCheckGap gap;
        gap.applies = true;
        gap.effort = gap.share = true;
        QVERIFY(ClassificationNotices::domainCheck(gap).isEmpty());
        gap.changedSettings = {"protocol", "trials"};
        const QString otherSettings = ClassificationNotices::domainCheck(gap);
        QVERIFY2(otherSettings.contains(QStringLiteral("nur die Bilder")) && otherSettings.contains(QStringLiteral("Protokoll, Versuche")),
                 qPrintable(otherSettings));
        gap.changedSettings.clear();
        gap.share = false;
        const QString noShare = ClassificationNotices::domainCheck(gap);
        QVERIFY2(noShare.contains(QStringLiteral("nicht identifizierter Zellen")), qPrintable(noShare));
        QVERIFY(ClassificationNotices::profile({}, QStringLiteral("m@1")).isEmpty()); // no profile, nothing to say
    }

    // What lrelease embedded is what the committed .ts says, message for
    // message (catches a .qm that was not rebuilt or not embedded).
    void everyGermanMessageIsLoaded()
    {
        QFile file(QStringLiteral(CYTODIFF_SOURCE_DIR "/translations/cytodiff_de.ts"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QString context, source;
        bool numerus = false;
        int checked = 0;
        QStringList wrong;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("name")) {
                context = xml.readElementText();
            } else if (xml.name() == QLatin1String("message")) {
                numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation") && !numerus) {
                const QString expected = xml.readElementText();
                const QString shown = QCoreApplication::translate(context.toUtf8().constData(),
                                                                  source.toUtf8().constData());
                if (shown != expected)
                    wrong << QStringLiteral("[%1] %2 -> %3").arg(context, source, shown);
                ++checked;
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(checked > 100);
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    }

    // English and the longer German, French and Spanish texts fit: no button, tool
    // button or one-line label on the start page, the main window, the cell
    // zoom window, the new Turing test dialog or the Settings dialog is
    // narrower than its text needs.
    void textsFitInEveryLanguage_data()
    {
        QTest::addColumn<QString>("language");
        for (const char *lang : {"en", "de", "fr", "es"})
            QTest::newRow(lang) << QString::fromLatin1(lang);
    }

    void textsFitInEveryLanguage()
    {
        QFETCH(QString, language);
        QVERIFY(switchTo(language));

        QStringList clipped;
        const auto check = [&clipped](QWidget *top, const QString &where) {
            QTest::qWait(20); // let layouts settle
            for (QAbstractButton *button : top->findChildren<QAbstractButton *>()) {
                if (button->isVisible() && !button->text().isEmpty()
                    && button->width() < button->sizeHint().width())
                    clipped << QStringLiteral("%1: button \"%2\" %3 px < %4 px")
                                   .arg(where, button->text())
                                   .arg(button->width())
                                   .arg(button->sizeHint().width());
            }
            for (QLabel *label : top->findChildren<QLabel *>()) {
                if (label->isVisible() && !label->wordWrap() && !label->text().isEmpty()
                    && label->width() < label->minimumSizeHint().width())
                    clipped << QStringLiteral("%1: label \"%2\" %3 px < %4 px")
                                   .arg(where, label->text().left(60))
                                   .arg(label->width())
                                   .arg(label->minimumSizeHint().width());
            }
        };
        const auto showAndCheck = [&check](QWidget *top, const QString &where) {
            top->show();
            check(top, where);
        };


        QTemporaryDir dir;
        MainWindow window;
        window.setShowImportSummary(false);
        window.resize(1280, 800);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("leer.cytodiff"))).ok());
        QVERIFY(window.isStartPageShown());
        check(&window, QStringLiteral("start page"));

        // The cell viewer's controls fit the details panel at its narrowest,
        // with its vertical scroll bar shown (wider ones would need a
        // horizontal scroll bar).
        {
            CellDetailsPanel panel;
            panel.resize(panel.minimumWidth(), 800);
            auto *scroll = panel.findChild<QScrollArea *>();
            QVERIFY(scroll && scroll->widget() && scroll->widget()->layout());
            const QMargins margins = scroll->widget()->layout()->contentsMargins();
            // The scroll area fills the panel (its page may not be laid out
            // yet while no cell is shown).
            const int room = panel.width() - scroll->verticalScrollBar()->sizeHint().width() - margins.left()
                             - margins.right();
            HeatmapView viewer(CellDetailsPanel::kImageSide);
            viewer.show();
            check(&viewer, QStringLiteral("cell viewer"));
            if (viewer.minimumSizeHint().width() > room)
                clipped << QStringLiteral("cell viewer: needs %1 px, the details panel has %2")
                               .arg(viewer.minimumSizeHint().width())
                               .arg(room);
        }

        // The windows of the Turing test and the cell zoom window.
        {
            CellZoomDialog zoom;
            showAndCheck(&zoom, QStringLiteral("cell zoom window"));
            QVERIFY(window.database());
            TuringBuildDialog build(*window.database(), QString());
            showAndCheck(&build, QStringLiteral("new Turing test dialog"));
        }

        // The expert labelling module's dialogs.
        {
            LabellersDialog labellers(window.database());
            showAndCheck(&labellers, QStringLiteral("labellers dialog"));
            NewSessionDialog session(window.database());
            showAndCheck(&session, QStringLiteral("new labelling session dialog"));
            SessionListDialog sessions(window.database());
            showAndCheck(&sessions, QStringLiteral("labelling sessions dialog"));
            AuditDialog audit(window.database());
            showAndCheck(&audit, QStringLiteral("label audit dialog"));
        }

        SettingsDialog settings;
        settings.show();
        for (int tab = 0; tab < settings.findChild<QTabWidget *>()->count(); ++tab) {
            settings.findChild<QTabWidget *>()->setCurrentIndex(tab);
            check(&settings, QStringLiteral("settings tab %1").arg(tab));
        }
        QVERIFY2(clipped.isEmpty(), qPrintable(clipped.join(QLatin1Char('\n'))));
    }

    void settingsOfferTheLanguages()
    {
        QVERIFY(switchTo(QStringLiteral("de")));
        const QList<UiLanguage> choices = TranslationLoader::choices();
        QCOMPARE(choices.size(), 5);
        QVERIFY(choices.first().code.isEmpty());
        {
            SettingsDialog dialog;
            QComboBox *box = dialog.languageBox();
            QVERIFY(box);
            QCOMPARE(box->count(), 5);
            QCOMPARE(box->currentIndex(), 0); // nothing stored: System
            QCOMPARE(box->itemText(0), QStringLiteral("Systemsprache"));
            QCOMPARE(box->itemText(3), QStringLiteral("Français"));
            auto *note = dialog.findChild<QLabel *>(QStringLiteral("languageNote"));
            QVERIFY(note && note->text().contains(QStringLiteral("nächsten Start")));
            box->setCurrentIndex(box->findData(QStringLiteral("es")));
            dialog.save();
        }
        QCOMPARE(AppSettings::language(), QStringLiteral("es"));
        SettingsDialog again;
        QCOMPARE(again.languageBox()->currentData().toString(), QStringLiteral("es"));
    }
};

QTEST_MAIN(TestTranslatedUi)
#include "test_translatedui.moc"
