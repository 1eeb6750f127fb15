// The committed translations/*.ts files as a translator leaves them: every
// message translated (no "unfinished", no empty text, every plural form),
// nothing stale ("vanished"/"obsolete"), and each translation keeps what
// the program fills in or reacts to: the %1/%n/%v placeholders, exactly
// one & accelerator where the source has one, and the rich-text tags.
// Whether the files still match the code is test_translationsync.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>

namespace {

struct Message {
    QString context;
    QString source;
    bool numerus = false;
    QString type; // of <translation>: "", "unfinished", "vanished", ...
    QStringList forms;
};

QString translationsDir()
{
    return QStringLiteral(CYTODIFF_SOURCE_DIR "/translations");
}

bool readTs(const QString &path, QString *language, QList<Message> *messages, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    QXmlStreamReader xml(&file);
    QString context;
    Message message;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            messages->append(message);
            continue;
        }
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            *language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            message = Message{context, QString(),
                              xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes"), QString(), {}};
        } else if (name == QLatin1String("source")) {
            message.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            message.type = xml.attributes().value(QLatin1String("type")).toString();
            // A plural message holds its forms in <numerusform> children.
            if (!message.numerus)
                message.forms << xml.readElementText();
        } else if (name == QLatin1String("numerusform")) {
            message.forms << xml.readElementText();
        }
    }
    if (xml.hasError()) {
        *error = QStringLiteral("%1 (line %2)").arg(xml.errorString()).arg(xml.lineNumber());
        return false;
    }
    return true;
}

// %1..%99, %n, %L1, and QProgressBar's %v/%m/%p, sorted.
QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(L?[0-9]{1,2}|n|v|m|p)(?![0-9])"));
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found << it.next().captured(0);
    found.sort();
    return found;
}

// Menu accelerators: '&' before a letter; "&&" is a literal ampersand and
// "&nbsp;"-style entities are rich text.
int accelerators(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("(?<!&)&(?!&)(?![a-zA-Z]+;)(?=\\w)"),
                                       QRegularExpression::UseUnicodePropertiesOption);
    return int(text.count(re));
}

// Rich-text tag names in order of appearance ("b", "/b", "tt", ...).
QStringList tags(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("<(/?[a-zA-Z0-9]+)[^>]*>"));
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found << it.next().captured(1).toLower();
    found.sort();
    return found;
}

} // namespace

class TestTranslationFiles : public QObject {
    Q_OBJECT

private slots:
    void theShippedLanguagesExist()
    {
        const QStringList files = QDir(translationsDir()).entryList({QStringLiteral("cytodiff_*.ts")}, QDir::Files);
        for (const char *lang : {"en", "de", "fr", "es"})
            QVERIFY2(files.contains(QStringLiteral("cytodiff_%1.ts").arg(QLatin1String(lang))), lang);
    }

    void everyMessageIsTranslated_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = QDir(translationsDir()).entryList({QStringLiteral("cytodiff_*.ts")}, QDir::Files);
        for (const QString &file : files)
            QTest::newRow(qPrintable(file)) << QDir(translationsDir()).filePath(file);
    }

    void everyMessageIsTranslated()
    {
        QFETCH(QString, path);
        QString language, error;
        QList<Message> messages;
        QVERIFY2(readTs(path, &language, &messages, &error), qPrintable(error));
        const QString fileLanguage = QFileInfo(path).completeBaseName().section(QLatin1Char('_'), 1);
        QVERIFY2(language.startsWith(fileLanguage), qPrintable(QStringLiteral("language=\"%1\"").arg(language)));
        // English holds only the plural forms; the others every message.
        if (fileLanguage == QLatin1String("en"))
            QVERIFY2(std::all_of(messages.cbegin(), messages.cend(), [](const Message &m) { return m.numerus; }),
                     "cytodiff_en.ts should hold plural forms only (lupdate -pluralonly)");
        else
            QVERIFY2(messages.size() > 100, "suspiciously few messages; was the file truncated?");

        QStringList problems;
        for (const Message &m : std::as_const(messages)) {
            const QString where = QStringLiteral("[%1] \"%2\"").arg(m.context, m.source.left(70));
            if (!m.type.isEmpty()) {
                problems << QStringLiteral("%1: type=\"%2\"").arg(where, m.type);
                continue;
            }
            if (m.forms.isEmpty() || std::any_of(m.forms.cbegin(), m.forms.cend(),
                                                 [](const QString &f) { return f.trimmed().isEmpty(); })) {
                problems << QStringLiteral("%1: empty translation").arg(where);
                continue;
            }
            for (const QString &form : m.forms) {
                QStringList wanted = placeholders(m.source);
                QStringList got = placeholders(form);
                // A plural form may spell out "one" instead of %n.
                if (m.numerus) {
                    wanted.removeAll(QStringLiteral("%n"));
                    got.removeAll(QStringLiteral("%n"));
                }
                if (wanted != got)
                    problems << QStringLiteral("%1: placeholders %2 became %3 in \"%4\"")
                                    .arg(where, wanted.join(QLatin1Char(' ')), got.join(QLatin1Char(' ')), form);
                if (accelerators(m.source) != accelerators(form))
                    problems << QStringLiteral("%1: %2 accelerator(s) in the source, %3 in \"%4\"")
                                    .arg(where).arg(accelerators(m.source)).arg(accelerators(form)).arg(form);
                if (tags(m.source) != tags(form))
                    problems << QStringLiteral("%1: rich-text tags differ in \"%2\"").arg(where, form);
            }
        }
        QVERIFY2(problems.isEmpty(),
                 qPrintable(QStringLiteral("%1 problem(s) in %2 (fix them in Qt Linguist):\n  %3")
                                .arg(problems.size())
                                .arg(QFileInfo(path).fileName(), problems.join(QStringLiteral("\n  ")))));
    }

    // The checks themselves must be able to fail.
    void checksCatchMistakes()
    {
        QCOMPARE(placeholders(QStringLiteral("%1 of %2 · %v/%m")),
                 QStringList({QStringLiteral("%1"), QStringLiteral("%2"), QStringLiteral("%m"), QStringLiteral("%v")}));
        QVERIFY(placeholders(QStringLiteral("95% CI")).isEmpty());
        QCOMPARE(accelerators(QStringLiteral("&File")), 1);
        QCOMPARE(accelerators(QStringLiteral("&Édition")), 1);
        QCOMPARE(accelerators(QStringLiteral("Salt && pepper")), 0);
        QCOMPARE(accelerators(QStringLiteral("<b>Space</b>&nbsp;confirm")), 0);
        QVERIFY(tags(QStringLiteral("<b>x</b>")) != tags(QStringLiteral("<b>x")));
    }
};

QTEST_GUILESS_MAIN(TestTranslationFiles)
#include "test_translationfiles.moc"
