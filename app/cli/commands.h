#pragma once
// cytodiff-cli subcommands. Each takes the arguments after its name and
// returns the process exit code: 0 ok, 1 bad input, 2 usage.

#include <QCoreApplication>
#include <QStringList>

#include <functional>
#include <memory>

namespace cytodiff::cli {

enum ExitCode { kExitOk = 0, kExitBadInput = 1, kExitUsage = 2 };

// Case database commands (dbcommands.cpp).
int runImport(const QStringList &args);
int runCases(const QStringList &args);
int runIdentifiers(const QStringList &args);
int runServerSetup(const QStringList &args);
int runServerRole(const QStringList &args);
int runWorkspace(const QStringList &args);
int runLisMessage(const QStringList &args);
int runMorphology(const QStringList &args);
int runCells(const QStringList &args);
int runExport(const QStringList &args);

// Engine commands (enginecommands.cpp, trainingcommands.cpp).
int runPack(const QStringList &args);
int runTrain(const QStringList &args);
int runTrainBaseline(const QStringList &args);
int runClassify(const QStringList &args);
int runSecondOpinion(const QStringList &args);
int runHeatmap(const QStringList &args);
int runGenerate(const QStringList &args);
int runBench(const QStringList &args);
int runEvaluate(const QStringList &args);
int runCalibrate(const QStringList &args);
int runDomainReference(const QStringList &args);
int runAnomalyProfile(const QStringList &args);

// Expert labelling (labellingcommands.cpp, crossvalcommand.cpp).
int runLabellers(const QStringList &args);
int runAgreement(const QStringList &args);
int runConsensus(const QStringList &args);
int runAudit(const QStringList &args);
int runCrossvalPredict(const QStringList &args);

// The blinded Turing test (turingcommands.cpp).
int runTuringBuild(const QStringList &args);
int runTuringResults(const QStringList &args);
int runTuringExport(const QStringList &args);

// Evaluation studies (anomalycommand.cpp, efficiencycommand.cpp,
// shiftcommand.cpp, metacognitioncommand.cpp).
int runEvaluateAnomaly(const QStringList &args);
int runEvaluateEfficiency(const QStringList &args);
int runEvaluateShift(const QStringList &args);
int runMetacognition(const QStringList &args);

// Entry point used by app/cli_main.cpp: dispatches argv[1]. makeApp, when
// given, creates the application object for the commands that draw plots
// (a QApplication, which QCustomPlot needs); every other command, and
// every command without makeApp, runs under a QCoreApplication.
using ApplicationFactory = std::function<std::unique_ptr<QCoreApplication>(int &argc, char **argv)>;
int run(int argc, char **argv, const ApplicationFactory &makeApp = {});

} // namespace cytodiff::cli
