#include "commands.h"
#include "numbertext.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <functional>
#include <map>

namespace cytodiff::cli {
namespace {

struct Command {
    std::function<int(const QStringList &)> run;
    const char *summary;
    bool drawsPlots = false; // needs the application object plots are drawn with
};

const std::map<QString, Command> &commandTable()
{
    static const std::map<QString, Command> table = {
        {QStringLiteral("import"), {runImport, "import a CellaVision export folder into the case database"}},
        {QStringLiteral("cases"), {runCases, "list the cases in the database"}},
        {QStringLiteral("morphology"), {runMorphology, "show or record a case's red-cell morphology and platelet estimate"}},
        {QStringLiteral("lis-message"), {runLisMessage, "write a signed case's result as an HL7 ORU^R01 message to a drop folder"}},
        {QStringLiteral("identifiers"), {runIdentifiers, "show or set a case's accession, specimen, patient and slide ids"}},
        {QStringLiteral("server-setup"), {runServerSetup, "install the roles a laboratory server enforces on its workspace"}},
        {QStringLiteral("server-role"), {runServerRole, "give a server login a role: technologist, haematologist or administrator"}},
        {QStringLiteral("workspace"), {runWorkspace, "copy a workspace between a file and a laboratory server, verified"}},
        {QStringLiteral("cells"), {runCells, "list the cells of one case"}},
        {QStringLiteral("export"), {runExport, "export a case's cells and predictions as CSV"}},
        {QStringLiteral("pack"), {runPack, "pack a labelled folder into one training tensor file"}},
        {QStringLiteral("train"), {runTrain, "train a class-conditional diffusion model"}},
        {QStringLiteral("train-baseline"), {runTrainBaseline, "train the discriminative CNN baseline"}},
        {QStringLiteral("classify"), {runClassify, "classify images or a case with a model"}},
        {QStringLiteral("second-opinion"), {runSecondOpinion, "a second model's call on each cell of a case"}},
        {QStringLiteral("heatmap"), {runHeatmap, "write counterfactual heatmaps for one image"}},
        {QStringLiteral("generate"), {runGenerate, "generate synthetic cells of one class"}},
        {QStringLiteral("evaluate"), {runEvaluate, "measure a model on a labelled folder"}},
        {QStringLiteral("calibrate"), {runCalibrate, "fit a diffusion model's per-class error offsets on validation cells"}},
        {QStringLiteral("anomaly-profile"), {runAnomalyProfile, "fit the error-profile anomaly score on validation cells into the model card"}},
        {QStringLiteral("domain-reference"), {runDomainReference, "measure the training images into the model card (domain check)"}},
        {QStringLiteral("evaluate-anomaly"), {runEvaluateAnomaly, "ROC AUC of unseen-class detection (models trained with --exclude-class)", true}},
        {QStringLiteral("evaluate-efficiency"), {runEvaluateEfficiency, "balanced accuracy when training on 10..150 cells per class", true}},
        {QStringLiteral("evaluate-shift"), {runEvaluateShift, "balanced accuracy under growing synthetic stain/scale/blur shifts", true}},
        {QStringLiteral("metacognition"), {runMetacognition, "psychometric fit and calibration of model or expert confidence", true}},
        {QStringLiteral("bench"), {runBench, "measure network and classifier speed"}},
        {QStringLiteral("turing-build"), {runTuringBuild, "build a blinded Turing test (real vs generated cells)"}},
        {QStringLiteral("turing-results"), {runTuringResults, "results of a Turing test (JSON + Markdown)"}},
        {QStringLiteral("turing-export"), {runTuringExport, "export a Turing test's answers as long-format CSV"}},
        {QStringLiteral("labellers"), {runLabellers, "list or add expert labellers"}},
        {QStringLiteral("agreement"), {runAgreement, "inter-rater agreement of the expert labels (kappas, confidence)"}},
        {QStringLiteral("consensus"), {runConsensus, "write the consensus label of every expert-labelled cell"}},
        {QStringLiteral("audit"), {runAudit, "label audit: queue disagreements with cross-validated predictions, resolve"}},
        {QStringLiteral("crossval-predict"), {runCrossvalPredict, "K-fold cross-validated predictions for the label audit"}},
    };
    return table;
}

void printUsage(FILE *stream)
{
    QTextStream out(stream);
    out << "Usage: cytodiff-cli <command> [options]\n\nCommands:\n";
    for (const auto &[name, command] : commandTable())
        out << "  " << name.leftJustified(20) << command.summary << "\n";
    out << "\nRun 'cytodiff-cli <command> --help' for the options of one command.\n";
}

} // namespace

int run(int argc, char **argv, const ApplicationFactory &makeApp)
{
    // Only the commands that draw plots pay for a GUI application object.
    const auto wanted = argc >= 2 ? commandTable().find(QString::fromLocal8Bit(argv[1])) : commandTable().end();
    const bool plots = wanted != commandTable().end() && wanted->second.drawsPlots;
    const std::unique_ptr<QCoreApplication> app =
        makeApp && plots ? makeApp(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    keepCNumberNotation();
    QCoreApplication::setOrganizationName(QStringLiteral("CytoDiff"));
    QCoreApplication::setApplicationName(QStringLiteral("CytoDiff"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CYTODIFF_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printUsage(stderr);
        return kExitUsage;
    }
    const QString name = arguments.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printUsage(stdout);
        return kExitOk;
    }
    if (name == QLatin1String("--version")) {
        QTextStream(stdout) << "cytodiff-cli " << CYTODIFF_VERSION << "\n";
        return kExitOk;
    }
    const auto it = commandTable().find(name);
    if (it == commandTable().end()) {
        QTextStream(stderr) << "cytodiff-cli: unknown command '" << name << "'\n\n";
        printUsage(stderr);
        return kExitUsage;
    }
    // Commands parse with QCommandLineParser, which expects the program
    // name first: pass "cytodiff-cli <command>" followed by the options.
    QStringList commandArgs = arguments.mid(2);
    commandArgs.prepend(arguments.at(0) + QLatin1Char(' ') + name);
    return it->second.run(commandArgs);
}

} // namespace cytodiff::cli
