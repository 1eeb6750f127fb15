// cytodiff-cli commands that work on the case database: import, cases,
// cells, export.

#include "commands.h"

#include "classificationservice.h"
#include "classnames.h"
#include "clistream.h"
#include "clisupport.h"
#include "csvfield.h"
#include "database.h"
#include "engine.h"
#include "importer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <optional>

namespace cytodiff::cli {
namespace {

QString formatNumber(std::optional<double> value, int precision = 4)
{
    return value ? QString::number(*value, 'g', precision) : QString();
}

// ---------------------------------------------------------------- import

// A case (by name or id) and its cells, for the commands that list or
// export them; an error is printed and the result is empty.
struct CaseCells {
    db::CaseRow caseRow;
    QList<db::CellSummary> cells;
};
std::optional<CaseCells> readCaseCells(const QString &command, const QString &dbOption, const QString &caseNameOrId)
{
    auto db = openDatabaseOrReport(command, dbOption);
    if (!db)
        return std::nullopt;
    auto found = db->findCase(caseNameOrId);
    if (!found) {
        printError(command, found.error());
        return std::nullopt;
    }
    auto cells = db->cellsOfCase(found->id);
    if (!cells) {
        printError(command, cells.error());
        return std::nullopt;
    }
    return CaseCells{std::move(*found), std::move(*cells)};
}

void printImportReport(const importer::ImportReport &report, const QString &workspace)
{
    QString text;
    text += QStringLiteral("Workspace:  %1\n").arg(QDir::toNativeSeparators(workspace));
    text += QStringLiteral("Source:     %1 (%2; synonym table v%3)\n")
                .arg(QDir::toNativeSeparators(report.root), importer::layoutName(report.layout))
                .arg(report.classTableVersion);
    text += QStringLiteral("Imported:   %1 new cells in %2 s (%3 cells/s)\n")
                .arg(report.imported)
                .arg(report.elapsedMs / 1000.0, 0, 'f', 1)
                .arg(report.cellsPerSecond(), 0, 'f', 0);
    text += QStringLiteral("Duplicates: %1 (already in the workspace; not added again)\n").arg(report.duplicates);
    if (!report.labelConflicts.isEmpty()) {
        text += QStringLiteral("Label conflicts: %1 (the same image under another label; the first copy's label "
                               "is kept)\n")
                    .arg(report.labelConflicts.size());
        for (const importer::LabelConflict &conflict : report.labelConflicts)
            text += QStringLiteral("  %1\n").arg(importer::describeConflict(conflict));
    }
    text += QStringLiteral("Skipped:    %1\n").arg(report.skipped.size());
    for (const importer::SkippedFile &file : report.skipped)
        text += QStringLiteral("  %1: %2\n").arg(QDir::toNativeSeparators(file.path), file.reason);
    if (!report.casesCreated.isEmpty())
        text += QStringLiteral("New cases:  %1\n").arg(report.casesCreated.join(QStringLiteral(", ")));
    if (!report.casesUpdated.isEmpty())
        text += QStringLiteral("Added to:   %1\n").arg(report.casesUpdated.join(QStringLiteral(", ")));
    if (!report.perClass.isEmpty()) {
        QStringList parts;
        for (auto it = report.perClass.cbegin(); it != report.perClass.cend(); ++it)
            parts.append(QStringLiteral("%1 %2").arg(it.key().isEmpty() ? QStringLiteral("(unlabelled)") : it.key())
                             .arg(it.value()));
        text += QStringLiteral("Per class:  %1\n").arg(parts.join(QStringLiteral(", ")));
    }
    if (!report.unknownCodes.isEmpty()) {
        QStringList parts;
        for (auto it = report.unknownCodes.cbegin(); it != report.unknownCodes.cend(); ++it)
            parts.append(QStringLiteral("%1 %2").arg(it.key()).arg(it.value()));
        text += QStringLiteral("Unknown codes (kept verbatim, flagged, no class): %1\n")
                    .arg(parts.join(QStringLiteral(", ")));
    }
    for (const QString &note : report.notes)
        text += QStringLiteral("Note: %1\n").arg(note);
    if (report.cancelled)
        text += QStringLiteral("Cancelled: the unfinished batch was rolled back; the %1 cells above are kept. "
                               "Run the same import again to add the rest.\n")
                    .arg(report.imported);
    printOut(text);
}

} // namespace

namespace {
// The image half of the domain check on every case the import touched,
// so a laboratory learns at import, not after classifying, that the model
// has not seen images like these.
void checkImportedCases(db::Database &database, const importer::ImportReport &report, const QString &modelPath)
{
    auto model = engine::Model::load(modelPath.toStdString());
    if (!model) {
        err() << "warning: no domain check: " << QString::fromStdString(model.error()) << "\n";
        return;
    }
    if (model->card().domainReference.empty()) {
        err() << "warning: no domain check: " << modelPath << " carries no domain reference\n";
        return;
    }
    for (const QString &name : report.casesCreated + report.casesUpdated) {
        auto found = database.findCase(name);
        if (!found)
            continue;
        auto verdict = classify::checkStoredCaseImages(database, found->id, model->card().domainReference);
        if (!verdict) {
            err() << "warning: no domain check for " << name << ": " << QString::fromStdString(verdict.error()) << "\n";
        } else if (verdict->outside) {
            err() << "warning: case " << name << ": " << QString::fromStdString(verdict->warning()) << "\n";
            for (const auto &deviation : verdict->deviations)
                err() << "  " << QString::fromStdString(deviation.describe()) << "\n";
        } else if (verdict->checked) {
            out() << "domain check, case " << name << ": like the model's training images\n";
        }
        if (verdict && !verdict->normalisation.isIdentity())
            out() << "case normalisation, case " << name << ": " << QString::fromStdString(verdict->normalisation.describe())
                  << "\n";
    }
}
} // namespace

int runImport(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Import a CellaVision export folder into the case database.\n"
                       "Layouts (detected): <folder>/<class>/<image>, <folder>/<case>/<class>/<image>,\n"
                       "<folder>/<CODE>_<id>.jpg, <folder>/manifest.csv, or unlabelled images.\n"
                       "Images already in the workspace (same SHA-256) are not added again."));
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("The export folder."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption caseOption(
        QStringLiteral("case"),
        QStringLiteral("Case name (default: the folder's name; for case folders, a prefix)."),
        QStringLiteral("name"));
    const QCommandLineOption batchOption(QStringLiteral("batch-size"),
                                         QStringLiteral("Files per transaction (default: 200)."), QStringLiteral("n"),
                                         QStringLiteral("200"));
    const QCommandLineOption modelOption(
        QStringLiteral("model"),
        QStringLiteral("Check the imported cases against this model's training images (domain check)."),
        QStringLiteral("file"));
    parser.addOptions({dbOption, caseOption, batchOption, modelOption});
    const IdentifierOptions identifierOptions;
    identifierOptions.addTo(parser, QStringLiteral("the imported case's"));
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;

    bool validBatch = false;
    const int batchSize = parser.value(batchOption).toInt(&validBatch);
    if (!validBatch || batchSize < 1) {
        printError(command, QStringLiteral("--batch-size needs a positive number"));
        return kExitUsage;
    }

    const QString folder = parser.positionalArguments().first();
    auto plan = importer::planImport(folder, parser.value(caseOption));
    if (!plan) {
        printError(command, plan.error());
        return kExitBadInput;
    }
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;

    importer::ImportOptions options;
    options.caseName = parser.value(caseOption);
    options.batchSize = batchSize;
    options.identifiers = identifierOptions.read(parser, {});
    SigintCancel cancel;
    ProgressBar bar(QStringLiteral("Importing"));
    importer::ImportCallbacks callbacks;
    callbacks.cancelFlag = &cancel.flag();
    callbacks.progress = [&bar](int done, int total, const QString &file) { bar.update(done, total, file); };

    auto report = importer::importPlan(*db, *plan, options, callbacks);
    bar.finish();
    if (!report) {
        printError(command, report.error());
        return kExitBadInput;
    }
    printImportReport(*report, db->path());
    if (parser.isSet(modelOption))
        checkImportedCases(*db, *report, parser.value(modelOption));
    if (!report->error.isEmpty()) {
        printError(command, QStringLiteral("import stopped: %1").arg(report->error));
        return kExitBadInput;
    }
    return report->cancelled ? kExitBadInput : kExitOk;
}

// ---------------------------------------------------------------- identifiers

int runIdentifiers(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Show or set a case's laboratory identifiers (accession number, specimen id, patient id,\n"
                       "slide id). Options given replace those values, '=' with nothing clears one; the others\n"
                       "stay. Every change is audited; on a signed case it is an amendment and needs --reason."));
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("The case's name or id."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption byOption(QStringLiteral("by"),
                                      QStringLiteral("Who makes the change (default: the login name)."),
                                      QStringLiteral("name"));
    const QCommandLineOption reasonOption(QStringLiteral("reason"), QStringLiteral("Why (needed on a signed case)."),
                                          QStringLiteral("text"));
    parser.addOptions({dbOption, byOption, reasonOption});
    const IdentifierOptions identifierOptions;
    identifierOptions.addTo(parser, QStringLiteral("the case's"));
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
    const db::CaseIdentifiers wanted = identifierOptions.read(parser, found->identifiers());
    if (wanted != found->identifiers()) {
        const QString by = parser.isSet(byOption) ? parser.value(byOption) : importer::defaultActor();
        if (auto changed = db->setCaseIdentifiers(found->id, wanted, by, parser.value(reasonOption)); !changed) {
            printError(command, changed.error());
            return kExitBadInput;
        }
    }
    const auto show = [](const QString &value) { return value.isEmpty() ? QStringLiteral("-") : value; };
    printOut(QStringLiteral("Case %1 (%2)\n  accession:  %3\n  specimen:   %4\n  patient id: %5\n  slide id:   %6\n")
                 .arg(found->name, found->isSigned() ? QStringLiteral("signed") : QStringLiteral("open"),
                      show(wanted.accession), show(wanted.specimen), show(wanted.patientId), show(wanted.slideId)));
    return kExitOk;
}

// ---------------------------------------------------------------- cases

int runCases(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the cases in the workspace."));
    const QCommandLineOption dbOption = databaseOption();
    parser.addOption(dbOption);
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;

    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    auto cases = db->listCases();
    if (!cases) {
        printError(command, cases.error());
        return kExitBadInput;
    }
    if (cases->isEmpty()) {
        printOut(QStringLiteral("No cases in %1. Import an export with 'cytodiff-cli import <folder>'.\n")
                     .arg(QDir::toNativeSeparators(db->path())));
        return kExitOk;
    }
    int nameWidth = 4;
    for (const db::CaseRow &row : *cases)
        nameWidth = std::max(nameWidth, static_cast<int>(row.name.size()));
    QString text = QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                       .arg(QStringLiteral("ID"), 5)
                       .arg(QStringLiteral("Name"), -nameWidth)
                       .arg(QStringLiteral("Accession"), -14)
                       .arg(QStringLiteral("Slide"), -14)
                       .arg(QStringLiteral("Cells"), 6)
                       .arg(QStringLiteral("Labelled"), 8)
                       .arg(QStringLiteral("Status"), -6)
                       .arg(QStringLiteral("Imported (UTC)"));
    for (const db::CaseRow &row : *cases) {
        text += QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                    .arg(row.id, 5)
                    .arg(row.name, -nameWidth)
                    .arg(row.accession.isEmpty() ? QStringLiteral("-") : row.accession, -14)
                    .arg(row.slideId.isEmpty() ? QStringLiteral("-") : row.slideId, -14)
                    .arg(row.cellCount, 6)
                    .arg(row.labelledCount, 8)
                    .arg(row.status, -6)
                    .arg(row.importedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    }
    printOut(text);
    return kExitOk;
}

// ---------------------------------------------------------------- cells

int runCells(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the cells of one case (by name or id)."));
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("Case name or id."));
    const QCommandLineOption dbOption = databaseOption();
    parser.addOption(dbOption);
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;

    auto caseCells = readCaseCells(command, parser.value(dbOption), parser.positionalArguments().first());
    if (!caseCells)
        return kExitBadInput;
    const db::CaseRow &found = caseCells->caseRow;
    const QList<db::CellSummary> &cells = caseCells->cells;
    QString text = QStringLiteral("Case '%1' (id %2): %3 cells\n").arg(found.name).arg(found.id).arg(cells.size());
    text += QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                .arg(QStringLiteral("ID"), 7)
                .arg(QStringLiteral("File"), -24)
                .arg(QStringLiteral("Label"), -18)
                .arg(QStringLiteral("Code"), -10)
                .arg(QStringLiteral("Size"), -9)
                .arg(QStringLiteral("Predicted"), -18)
                .arg(QStringLiteral("Confidence"));
    for (const db::CellSummary &cell : cells) {
        QString label = cell.labelClass.isEmpty() ? QStringLiteral("-") : cell.labelClass;
        QString code = cell.rawCode.isEmpty() ? QStringLiteral("-") : cell.rawCode;
        if (cell.unknownCode)
            code += QLatin1Char('?');
        text += QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                    .arg(cell.id, 7)
                    .arg(cell.originalName, -24)
                    .arg(label, -18)
                    .arg(code, -10)
                    .arg(QStringLiteral("%1x%2").arg(cell.width).arg(cell.height), -9)
                    .arg(cell.hasPrediction ? cell.predictedClass : QStringLiteral("-"), -18)
                    .arg(cell.hasPrediction ? formatNumber(cell.confidence, 3) : QStringLiteral("-"));
    }
    printOut(text);
    return kExitOk;
}

// ---------------------------------------------------------------- export

namespace {

// Score columns: canonical classes in their display order, then any other
// class a model used, alphabetically.
QStringList scoreColumns(const QList<db::CellSummary> &cells)
{
    QSet<QString> used;
    for (const db::CellSummary &cell : cells) {
        for (auto it = cell.scores.cbegin(); it != cell.scores.cend(); ++it)
            used.insert(it.key());
    }
    QStringList columns;
    for (const QString &id : importer::canonicalClassIds()) {
        if (used.remove(id))
            columns.append(id);
    }
    QStringList others(used.cbegin(), used.cend());
    others.sort();
    return columns + others;
}

QByteArray caseCsv(const db::CaseRow &caseRow, const QList<db::CellSummary> &cells)
{
    const QStringList scores = scoreColumns(cells);
    QStringList header = {QStringLiteral("cell_id"),     QStringLiteral("case"),          QStringLiteral("slide_id"),
                          QStringLiteral("specimen"),    QStringLiteral("accession"),     QStringLiteral("patient_id"),
                          QStringLiteral("original_name"), QStringLiteral("source_path"),
                          QStringLiteral("sha256"),      QStringLiteral("width"),         QStringLiteral("height"),
                          QStringLiteral("x"),           QStringLiteral("y"),             QStringLiteral("label_class"),
                          QStringLiteral("raw_code"),    QStringLiteral("unknown_code"),  QStringLiteral("model_id"),
                          QStringLiteral("predicted_class"), QStringLiteral("confidence"), QStringLiteral("anomaly"),
                          QStringLiteral("nfe"), QStringLiteral("second_opinion_model_id"),
                          QStringLiteral("second_opinion_class")};
    for (const QString &name : scores)
        header.append(QStringLiteral("score_") + name);
    QString text = header.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    for (const db::CellSummary &cell : cells) {
        QStringList fields = {QString::number(cell.id),
                              caseRow.name,
                              caseRow.slideId,
                              caseRow.specimen,
                              caseRow.accession,
                              caseRow.patientId,
                              cell.originalName,
                              cell.sourcePath,
                              cell.sha256,
                              QString::number(cell.width),
                              QString::number(cell.height),
                              formatNumber(cell.x, 10),
                              formatNumber(cell.y, 10),
                              cell.labelClass,
                              cell.rawCode,
                              cell.unknownCode ? QStringLiteral("1") : QStringLiteral("0"),
                              cell.modelId,
                              cell.predictedClass,
                              cell.hasPrediction ? formatNumber(cell.confidence, 6) : QString(),
                              cell.hasPrediction ? formatNumber(cell.anomaly, 6) : QString(),
                              cell.hasPrediction ? QString::number(cell.nfe) : QString(),
                              cell.secondOpinionModelId,
                              cell.secondOpinionClass};
        for (const QString &name : scores)
            fields.append(cell.scores.contains(name) ? QString::number(cell.scores.value(name), 'g', 6) : QString());
        for (QString &field : fields)
            field = db::csvField(field);
        text += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return text.toUtf8();
}

} // namespace

int runExport(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Export one case as a per-cell CSV: identifiers as imported, the label, and the\n"
                       "latest prediction with its per-class scores."));
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("Case name or id."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption csvOption(QStringLiteral("csv"), QStringLiteral("Output CSV file ('-': standard output)."),
                                       QStringLiteral("file"));
    parser.addOptions({dbOption, csvOption});
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;
    if (!parser.isSet(csvOption) || parser.value(csvOption).isEmpty()) {
        printError(command, QStringLiteral("--csv <file> is required"));
        return kExitUsage;
    }

    auto caseCells = readCaseCells(command, parser.value(dbOption), parser.positionalArguments().first());
    if (!caseCells)
        return kExitBadInput;
    const db::CaseRow &found = caseCells->caseRow;
    const QList<db::CellSummary> &cells = caseCells->cells;
    const QByteArray csv = caseCsv(found, cells);
    const QString target = parser.value(csvOption);
    if (target == QLatin1String("-")) {
        printOut(QString::fromUtf8(csv));
        return kExitOk;
    }
    // QSaveFile: a failed export never leaves a half-written CSV behind.
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(csv) != csv.size() || !file.commit()) {
        printError(command, QStringLiteral("cannot write %1: %2").arg(target, file.errorString()));
        return kExitBadInput;
    }
    printOut(QStringLiteral("Wrote %1 cells of case '%2' to %3\n")
                 .arg(cells.size())
                 .arg(found.name, QDir::toNativeSeparators(target)));
    return kExitOk;
}

} // namespace cytodiff::cli
