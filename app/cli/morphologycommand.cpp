// cytodiff-cli morphology: show or record a case's red-cell morphology and
// platelet estimate (issue 24 item 2), through review::MorphologyStore.

#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "importer.h"
#include "morphology.h"

#include <QCommandLineParser>

namespace cytodiff::cli {

int runMorphology(const QStringList &args)
{
    const QString command = args.value(0);
    QCommandLineParser parser;
    QStringList ids;
    for (const review::MorphologyFeature &feature : review::morphologyFeatures())
        ids << QLatin1String(feature.id);
    parser.setApplicationDescription(
        QStringLiteral("Show or record a case's red-cell morphology (ICSH 2015 grades 0-3, schistocytes in %) and "
                       "platelet estimate. Options given replace those values; the rest stay. Audited; on a "
                       "signed case an amendment that needs --reason.\nFindings: ") +
        ids.join(QStringLiteral(", ")));
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("The case's name or id."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption normalOption(QStringLiteral("normal"),
                                          QStringLiteral("Report all red cells as normal (clears the grades)."));
    const QCommandLineOption gradeOption(QStringLiteral("grade"),
                                         QStringLiteral("finding=0..3 (0 clears it); may be repeated."),
                                         QStringLiteral("finding=grade"));
    const QCommandLineOption schistocyteOption(QStringLiteral("schistocytes"),
                                               QStringLiteral("Schistocytes, % of red cells ('' clears)."),
                                               QStringLiteral("percent"));
    const QCommandLineOption plateletOption(QStringLiteral("platelets"),
                                            QStringLiteral("decreased, adequate, increased or none."),
                                            QStringLiteral("estimate"));
    const QCommandLineOption clumpsOption(QStringLiteral("clumps"), QStringLiteral("Platelet clumps seen: yes or no."),
                                          QStringLiteral("yes|no"));
    const QCommandLineOption wbcOption(QStringLiteral("wbc"),
                                       QStringLiteral("The analyser's WBC count, 10^9/L ('' clears): absolute counts "
                                                      "go to the LIS."),
                                       QStringLiteral("count"));
    const QCommandLineOption commentOption(QStringLiteral("comment"), QStringLiteral("Comment on the film."),
                                           QStringLiteral("text"));
    const QCommandLineOption reasonOption(QStringLiteral("reason"), QStringLiteral("Why (needed on a signed case)."),
                                          QStringLiteral("text"));
    const QCommandLineOption byOption(QStringLiteral("by"), QStringLiteral("Who records it (default: the login name)."),
                                      QStringLiteral("name"));
    parser.addOptions({dbOption, normalOption, gradeOption, schistocyteOption, plateletOption, clumpsOption,
                       wbcOption, commentOption, reasonOption, byOption});
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;

    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    auto found = db->findCase(parser.positionalArguments().first());
    if (!found) {
        printError(command, found.error());
        return kExitBadInput;
    }
    auto stored = review::MorphologyStore::load(*db, found->id);
    if (!stored) {
        printError(command, stored.error());
        return kExitBadInput;
    }
    review::CaseMorphology m = *stored;
    if (parser.isSet(normalOption)) {
        m.allNormal = true;
        m.grades.clear();
    }
    for (const QString &grade : parser.values(gradeOption)) {
        const QString id = grade.section(QLatin1Char('='), 0, 0).trimmed();
        bool ok = false;
        const int value = grade.section(QLatin1Char('='), 1).toInt(&ok);
        if (!ok || !ids.contains(id) || value < 0 || value > review::kMaxGrade) {
            printError(command, QStringLiteral("--grade %1: give finding=0..3 with a finding of the ICSH list").arg(grade));
            return kExitUsage;
        }
        if (value == 0)
            m.grades.remove(id);
        else
            m.grades.insert(id, value);
        m.allNormal = m.allNormal && value == 0;
    }
    if (parser.isSet(schistocyteOption)) {
        bool ok = false;
        const double value = parser.value(schistocyteOption).toDouble(&ok);
        if (parser.value(schistocyteOption).isEmpty())
            m.schistocytePercent.reset();
        else if (ok)
            m.schistocytePercent = value;
        else {
            printError(command, QStringLiteral("--schistocytes needs a percentage"));
            return kExitUsage;
        }
    }
    if (parser.isSet(plateletOption)) {
        const QString value = parser.value(plateletOption);
        m.platelets = review::PlateletEstimate::NotAssessed;
        for (auto e : {review::PlateletEstimate::Decreased, review::PlateletEstimate::Adequate,
                       review::PlateletEstimate::Increased})
            if (value == review::plateletEstimateId(e))
                m.platelets = e;
        if (m.platelets == review::PlateletEstimate::NotAssessed && value != QLatin1String("none")) {
            printError(command, QStringLiteral("--platelets: decreased, adequate, increased or none"));
            return kExitUsage;
        }
    }
    if (parser.isSet(clumpsOption))
        m.plateletClumps = parser.value(clumpsOption) == QLatin1String("yes");
    if (parser.isSet(wbcOption)) {
        bool ok = false;
        const double value = parser.value(wbcOption).toDouble(&ok);
        if (parser.value(wbcOption).isEmpty())
            m.wbcCount.reset();
        else if (ok)
            m.wbcCount = value;
        else {
            printError(command, QStringLiteral("--wbc needs a count in 10^9/L"));
            return kExitUsage;
        }
    }
    if (parser.isSet(commentOption))
        m.comment = parser.value(commentOption).trimmed();

    if (!(m == *stored)) {
        const QString by = parser.isSet(byOption) ? parser.value(byOption) : importer::defaultActor();
        if (auto saved = review::MorphologyStore::save(*db, found->id, m, by, parser.value(reasonOption)); !saved) {
            printError(command, saved.error());
            return kExitBadInput;
        }
    }
    const QStringList lines = m.lines();
    printOut(QStringLiteral("Case %1: %2\n").arg(found->name, lines.isEmpty() ? QStringLiteral("nothing recorded")
                                                                               : lines.join(QStringLiteral("; "))));
    return kExitOk;
}

} // namespace cytodiff::cli
