// cytodiff-cli commands of the expert-labelling module: labellers,
// agreement, consensus, audit. They read and write the same tables as the
// GUI's Labelling menu.

#include "commands.h"

#include "clisupport.h"
#include "database.h"
#include "labelaudit.h"
#include "labellinganalysis.h"

#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>

#include <optional>

namespace cytodiff::cli {
namespace {


Result<void> writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    return {};
}

// The database and its expert labels, for the commands that analyse them;
// an error is printed and the result is empty.
struct LabellingInput {
    db::Database database;
    labelling::LabellingData data;
};
std::optional<LabellingInput> openLabelling(const QString &command, const QString &dbOption)
{
    auto db = openDatabaseOrReport(command, dbOption);
    if (!db)
        return std::nullopt;
    auto data = labelling::loadLabellingData(*db);
    if (!data) {
        printError(command, data.error());
        return std::nullopt;
    }
    return LabellingInput{std::move(*db), std::move(*data)};
}

} // namespace

int runLabellers(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the labellers, or add one with --add NAME --years N."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption addOption(QStringLiteral("add"), QStringLiteral("Add a labeller of this name."),
                                       QStringLiteral("name"));
    const QCommandLineOption yearsOption(QStringLiteral("years"),
                                         QStringLiteral("Years of experience in blood microscopy (with --add)."),
                                         QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({dbOption, addOption, yearsOption});
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    if (parser.isSet(addOption)) {
        bool ok = false;
        const int years = parser.value(yearsOption).toInt(&ok);
        if (!ok || years < 0) {
            printError(command, QStringLiteral("--years needs a whole number of 0 or more"));
            return kExitUsage;
        }
        auto id = db->addLabeller(parser.value(addOption).trimmed(), years);
        if (!id) {
            printError(command, id.error());
            return kExitBadInput;
        }
    }
    auto labellers = db->listLabellers();
    if (!labellers) {
        printError(command, labellers.error());
        return kExitBadInput;
    }
    auto sessions = db->listLabellingSessions();
    auto labels = db->activeLabels();
    QString text = QStringLiteral("%1  %2  %3  %4  %5\n")
                       .arg(QStringLiteral("ID"), 4)
                       .arg(QStringLiteral("Name"), -24)
                       .arg(QStringLiteral("Years"), 5)
                       .arg(QStringLiteral("Sessions"), 8)
                       .arg(QStringLiteral("Answers"), 7);
    for (const auto &labeller : *labellers) {
        int sessionCount = 0, answerCount = 0;
        if (sessions)
            for (const auto &s : *sessions)
                sessionCount += s.labellerId == labeller.id;
        if (labels)
            for (const auto &l : *labels)
                answerCount += l.labellerId == labeller.id;
        text += QStringLiteral("%1  %2  %3  %4  %5\n")
                    .arg(labeller.id, 4)
                    .arg(labeller.name, -24)
                    .arg(labeller.yearsExperience, 5)
                    .arg(sessionCount, 8)
                    .arg(answerCount, 7);
    }
    if (labellers->isEmpty())
        text = QStringLiteral("No labellers yet. Add one with '%1 --add NAME --years N'.\n").arg(command);
    printOut(text);
    return kExitOk;
}

int runAgreement(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inter-rater agreement of the expert labels: Cohen's kappa per pair of labellers, Fleiss' "
                       "kappa, and the pairwise confidence confusion matrix (the paper's Figure 9). Prints "
                       "markdown; --out writes agreement.json and agreement.md."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("Folder for agreement.json and agreement.md."),
                                       QStringLiteral("dir"));
    const QCommandLineOption commonOption(QStringLiteral("common-only"),
                                          QStringLiteral("Only the common subset shared by all labellers."));
    const QCommandLineOption imrmcOption(
        QStringLiteral("imrmc"),
        QStringLiteral("Also write the labels as an iMRMC input file for --class against the rest (truth: the "
                       "imported label)."),
        QStringLiteral("file"));
    const QCommandLineOption classOption(QStringLiteral("class"), QStringLiteral("The class for --imrmc."),
                                         QStringLiteral("id"));
    parser.addOptions({dbOption, outOption, commonOption, imrmcOption, classOption});
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    if (parser.isSet(imrmcOption) != parser.isSet(classOption)) {
        printError(command, QStringLiteral("--imrmc and --class go together"));
        return kExitUsage;
    }
    auto input = openLabelling(command, parser.value(dbOption));
    if (!input)
        return kExitBadInput;
    if (parser.isSet(imrmcOption)) {
        int skipped = 0;
        const QString text = labelling::labelsImrmc(input->database, input->data, parser.value(classOption), &skipped);
        if (auto written = writeFile(parser.value(imrmcOption), text.toUtf8()); !written) {
            printError(command, written.error());
            return kExitBadInput;
        }
        printErr(QStringLiteral("wrote the iMRMC file %1 (%2 labelled cells without an imported label left out)\n")
                     .arg(parser.value(imrmcOption))
                     .arg(skipped));
    }
    const auto scope = parser.isSet(commonOption) ? labelling::AgreementScope::CommonSubset
                                                  : labelling::AgreementScope::AllCells;
    const auto report = labelling::computeAgreement(input->data, scope);
    const QString markdown = labelling::agreementMarkdown(report);
    if (parser.isSet(outOption)) {
        const QDir dir(parser.value(outOption));
        if (!QDir().mkpath(dir.path())) {
            printError(command, QStringLiteral("cannot create the folder '%1'").arg(dir.path()));
            return kExitBadInput;
        }
        for (auto written : {writeFile(dir.filePath(QStringLiteral("agreement.json")),
                                       QJsonDocument(labelling::agreementJson(report)).toJson()),
                             writeFile(dir.filePath(QStringLiteral("agreement.md")), markdown.toUtf8())}) {
            if (!written) {
                printError(command, written.error());
                return kExitBadInput;
            }
        }
    }
    printOut(markdown);
    return kExitOk;
}

int runConsensus(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Consensus label per cell from the expert labels: majority vote, ties to the most "
                       "experienced labeller; confidence = mean of High 1, Moderate 2/3, Low 1/3, No 0."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption csvOption(QStringLiteral("csv"), QStringLiteral("Write the consensus as CSV."),
                                       QStringLiteral("file"));
    parser.addOptions({dbOption, csvOption});
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    if (!parser.isSet(csvOption)) {
        printError(command, QStringLiteral("give the output file with --csv"));
        return kExitUsage;
    }
    auto input = openLabelling(command, parser.value(dbOption));
    if (!input)
        return kExitBadInput;
    const auto consensus = labelling::computeConsensus(input->data);
    const QString csv = labelling::consensusCsv(input->database, input->data, consensus);
    if (auto written = writeFile(parser.value(csvOption), csv.toUtf8()); !written) {
        printError(command, written.error());
        return kExitBadInput;
    }
    printOut(QStringLiteral("wrote the consensus of %1 cells to %2\n").arg(consensus.size()).arg(parser.value(csvOption)));
    return kExitOk;
}

int runAudit(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Label audit. 'queue': cells whose consensus disagrees with a cross-validated prediction "
                       "(crossval-predict) go to two labellers who have not seen them, as audit sessions. "
                       "'resolve': closes items whose reviews are in, recomputes the consensus and logs the "
                       "outcome. 'list': the items."));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("queue, resolve or list"));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption prefixOption(QStringLiteral("model-prefix"),
                                          QStringLiteral("Model ids of cross-validated predictions (default crossval:)."),
                                          QStringLiteral("prefix"), QString::fromLatin1(labelling::kCrossValPrefix));
    parser.addOptions({dbOption, prefixOption});
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;
    const QString action = parser.positionalArguments().first();
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    if (action == QLatin1String("queue")) {
        auto classes = labelling::classesOfSessions(*db);
        if (!classes) {
            printError(command, classes.error());
            return kExitBadInput;
        }
        auto outcome = labelling::queueDisagreements(*db, *classes, parser.value(prefixOption));
        if (!outcome) {
            printError(command, outcome.error());
            return kExitBadInput;
        }
        printOut(QStringLiteral("%1 cells compared, %2 agree, %3 queued (%4 audit sessions), %5 audited before, "
                                "%6 lack two unseen labellers\n")
                     .arg(outcome->compared)
                     .arg(outcome->agreeing)
                     .arg(outcome->queued)
                     .arg(outcome->sessionIds.size())
                     .arg(outcome->alreadyAudited)
                     .arg(outcome->lackingReviewers));
        return kExitOk;
    }
    if (action == QLatin1String("resolve")) {
        auto outcome = labelling::resolveAudits(*db, QStringLiteral("label audit"));
        if (!outcome) {
            printError(command, outcome.error());
            return kExitBadInput;
        }
        printOut(QStringLiteral("%1 resolved, %2 changed the consensus, %3 waiting for reviews\n")
                     .arg(outcome->resolved)
                     .arg(outcome->changed)
                     .arg(outcome->waiting));
        return kExitOk;
    }
    if (action == QLatin1String("list")) {
        auto items = db->auditItems();
        if (!items) {
            printError(command, items.error());
            return kExitBadInput;
        }
        QString text = QStringLiteral("item,cell,predicted,consensus_before,status,consensus_after\n");
        for (const auto &item : *items)
            text += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                        .arg(item.id)
                        .arg(item.cellId)
                        .arg(item.predictedClass, item.consensusBefore, item.status, item.consensusAfter);
        printOut(text);
        return kExitOk;
    }
    printError(command, QStringLiteral("unknown action '%1': use queue, resolve or list").arg(action));
    return kExitUsage;
}

} // namespace cytodiff::cli
