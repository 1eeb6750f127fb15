// cytodiff-cli classify, second-opinion, heatmap, generate and bench.
#include "commands.h"

#include "clistream.h"

#include "classificationservice.h"
#include "csvfield.h"
#include "database.h"
#include "domaincheck.h"
#include "engine.h"
#include "normalisationfit.h"
#include "studyoptions.h"
#include "imageio.h"
#include "imagestats.h"
#include "labelledset.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cmath>

#include <cstdio>

namespace cytodiff::cli {
namespace {

int fail(const std::string &message, int code = kExitBadInput)
{
    err() << "error: " << QString::fromStdString(message) << "\n";
    return code;
}

bool parseOrHelp(QCommandLineParser &parser, const QStringList &args, int &exitCode)
{
    if (!parser.parse(args)) {
        err() << parser.errorText() << "\n";
        exitCode = kExitUsage;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        exitCode = kExitOk;
        return false;
    }
    return true;
}

void addModelOptions(QCommandLineParser &parser)
{
    parser.addHelpOption();
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Intra-op threads (default 0 = all cores; use 1 when "
                                                                "another job shares the machine; `bench` measures both)."),
                      QStringLiteral("T"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 0)."), QStringLiteral("S"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("device"), QStringLiteral("cpu or cuda."), QStringLiteral("dev"), QStringLiteral("cpu")});
    parser.addOption(bf16Option());
}

Result<engine::Model> loadModel(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("model")))
        return makeError("Give a model file with --model.");
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto model = engine::Model::load(parser.value(QStringLiteral("model")).toStdString(),
                                     parser.value(QStringLiteral("device")).toStdString());
    if (!model)
        return model;
    if (auto precision = applyNetworkPrecision(parser, *model); !precision)
        return makeError(precision.error());
    return model;
}

const QStringList kImageSuffixes = {QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"),
                                    QStringLiteral("bmp"), QStringLiteral("tif"), QStringLiteral("tiff")};

QStringList collectImages(const QStringList &inputs, QStringList &problems)
{
    QStringList files;
    for (const QString &input : inputs) {
        const QFileInfo info(input);
        if (info.isDir()) {
            QStringList found;
            QDirIterator it(input, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                if (kImageSuffixes.contains(QFileInfo(path).suffix().toLower()))
                    found.append(path);
            }
            found.sort();
            files += found;
        } else if (info.isFile()) {
            files.append(input);
        } else {
            problems.append(input + QStringLiteral(": no such file or folder"));
        }
    }
    return files;
}

// classify's work items: (label for the CSV, cell id or -1, file path or empty).
struct ClassifyItem {
    QString label;
    qint64 cellId = -1;
    QString path;
};

Result<QByteArray> itemBytes(const ClassifyItem &item, const db::Database *database)
{
    if (item.cellId >= 0 && database)
        return database->cellImage(item.cellId);
    auto read = imaging::readFile(item.path.toStdString());
    if (!read)
        return makeError(read.error());
    return QByteArray::fromStdString(*read);
}

// The domain check's image half, before any classification: a case from
// elsewhere is announced at once, not after an hour of classifying. The
// images' measurements also fit the case normalisation the service then
// classifies with; what it corrects is said, not warned about.
void checkImagesOfItems(domain::CaseDomainCheck &check, classify::ClassificationService &service,
                        const QList<ClassifyItem> &items, const db::Database *database)
{
    if (!check.referenceError().empty())
        err() << "warning: no domain check: " << QString::fromStdString(check.referenceError()) << "\n";
    // Measured whatever the main model carries: the second opinion's model
    // may have a reference of its own to be normalised to.
    std::vector<imaging::ImageStats> images;
    for (const ClassifyItem &item : items)
        if (auto bytes = itemBytes(item, database))
            if (auto stats = imaging::measureImage(std::string_view(bytes->constData(), std::size_t(bytes->size())))) {
                images.push_back(*stats);
                check.addMeasurement(*stats);
            }
    service.normaliseFrom(images);
    if (!check.hasReference())
        return;
    if (!service.normalisation().isIdentity())
        err() << "case normalisation: " << QString::fromStdString(service.normalisation().describe()) << "\n";
    const auto verdict = domain::afterNormalisation(check.verdict(), service.normalisation());
    if (verdict.outside)
        err() << "warning: " << QString::fromStdString(verdict.warning()) << "\n";
}

void reportDomainVerdict(const domain::DomainVerdict &verdict)
{
    if (!verdict.checked) {
        if (verdict.cells > 0 && verdict.cells < domain::kMinimumCells)
            err() << "domain check: not judged (" << verdict.cells << " cells; it needs " << domain::kMinimumCells << ")\n";
        return;
    }
    if (!verdict.outside) {
        err() << "domain check: the images are like the model's training images (" << verdict.cells << " cells)\n";
        return;
    }
    err() << "domain check: outside the model's training domain; every cell is in the review queue:\n";
    for (const auto &deviation : verdict.deviations)
        err() << "  " << QString::fromStdString(deviation.describe()) << "\n";
}

} // namespace

// One `classify` run: the service, the cells or files to classify, what the
// case already holds, and the rows, kept until the domain check's verdict
// (images first, then the classifier's effort) decides whether every cell
// goes to the review queue, so that no row is final before it.
class ClassifyRun {
public:
    ClassifyRun(const engine::Model &model, const engine::Model *second, const engine::ClassifyOptions &options)
        : m_model(model), m_second(second), m_service(&model, second, options),
          m_domainCheck(model.card().domainReference), m_judgeCalls(m_service.callsComparableWithReference())
    {
    }

    const classify::ClassificationService &service() const { return m_service; }

    // The cells of a workspace's case; those with a prediction of this
    // model are kept unless reclassify.
    Result<void> planCase(const QString &databasePath, const QString &caseName, bool reclassify);
    // Image files and folders given on the command line.
    Result<void> planFiles(const QStringList &inputs);

    // Classifies (and, for a writable case, stores) every planned item.
    void classifyAll();
    // Writes the CSV, reports the domain check and the totals; the exit code.
    int finish(QFile &out);

private:
    struct Row {
        ClassifyItem item;
        classify::CellCall call;
        QString secondClass;
    };

    bool cancelled() const { return m_sigint.isCancelled(); }
    bool storing() const { return m_database && !m_database->isReadOnly(); }
    // A stored row in the call's shape, so stored and fresh cells are
    // listed and judged by the same code.
    classify::CellCall callOfRow(const db::PredictionRow &row) const;
    void keepRow(const ClassifyItem &item, const classify::CellCall &call, const QString &secondClass);
    // One item: classified (newNfe: the network evaluations it cost), a
    // prediction kept from an earlier run, skipped (said why) or cancelled.
    enum class Step { Classified, Kept, Skipped, Cancelled };
    Step classifyStored(const ClassifyItem &item, long long &newNfe);
    Step classifyFile(const ClassifyItem &item, long long &newNfe);
    bool writeRow(QTextStream &csv, const Row &row, const review::ReviewThresholds &thresholds) const;

    const engine::Model &m_model;
    const engine::Model *m_second;
    classify::ClassificationService m_service;
    domain::CaseDomainCheck m_domainCheck;
    const bool m_judgeCalls; // the domain check counts the calls (classify::callsComparableWithReference)
    SigintCancel m_sigint;
    QList<ClassifyItem> m_items;
    std::optional<db::Database> m_database;
    // What the case already holds of these models: each prediction is
    // committed on its own, so after an interruption these are the
    // finished cells, and they are listed from the stored rows.
    QMap<qint64, db::PredictionRow> m_finished;
    QMap<qint64, QString> m_storedSecond;
    QMap<qint64, QString> m_labels; // the analyser's pre-classification
    classify::CasePlan m_plan;
    qint64 m_caseId = 0;
    std::vector<Row> m_rows;
    int m_done = 0, m_failed = 0, m_kept = 0;
    long long m_totalNfe = 0;
    double m_seconds = 0;
};

Result<void> ClassifyRun::planCase(const QString &databasePath, const QString &caseName, bool reclassify)
{
    auto opened = openDatabaseFromOption(databasePath);
    if (!opened)
        return makeError(opened.error());
    m_database = std::move(*opened);
    auto found = m_database->findCase(caseName);
    if (!found)
        return makeError(found.error());
    m_caseId = found->id;
    // As the service's check (ClassificationService::checkDomain): a demo
    // case's generated cells are not judged against the training images.
    if (found->isSynthetic()) {
        m_domainCheck = domain::CaseDomainCheck(std::string());
        err() << "note: '" << found->name << "' is the demo case of model-generated cells; the domain check, which "
              << "compares a laboratory's images with the training images, does not apply to it\n";
    }
    auto planned = m_service.planCase(*m_database, found->id, reclassify);
    if (!planned)
        return makeError(planned.error());
    m_plan = *planned;
    auto stored = m_database->predictionsOfModel(found->id, m_service.modelId());
    auto cells = m_database->cellsOfCase(found->id);
    if (!stored || !cells)
        return makeError(!stored ? stored.error() : cells.error());
    for (const db::PredictionRow &row : *stored)
        if (!m_plan.needsPrediction.contains(row.cellId))
            m_finished.insert(row.cellId, row);
    for (const db::CellSummary &cell : *cells) {
        m_labels.insert(cell.id, cell.labelClass);
        if (m_second && cell.secondOpinionModelId == m_service.secondOpinionModelId())
            m_storedSecond.insert(cell.id, cell.secondOpinionClass);
    }
    if (!m_finished.isEmpty())
        err() << m_finished.size() << " of " << m_plan.cells.size() << " cells already have a prediction of "
              << m_service.modelId() << "; classifying the other " << m_plan.cells.size() - m_finished.size()
              << " (--reclassify to redo all)\n";
    for (qint64 id : m_plan.cells)
        m_items.append({QString::number(id), id, {}});
    if (m_database->isReadOnly())
        err() << "warning: " << m_database->readOnlyReason() << " Predictions go to the CSV only.\n";
    return {};
}

Result<void> ClassifyRun::planFiles(const QStringList &inputs)
{
    QStringList problems;
    for (const QString &path : collectImages(inputs, problems))
        m_items.append({path, -1, path});
    for (const QString &p : problems)
        err() << "skipped " << p << "\n";
    if (m_items.isEmpty())
        return makeError("No images to classify.");
    return {};
}

classify::CellCall ClassifyRun::callOfRow(const db::PredictionRow &row) const
{
    classify::CellCall call;
    call.predictedClass = row.predictedClass;
    call.predicted = m_model.classIndex(row.predictedClass.toStdString());
    call.confidence = row.confidence.value_or(std::nan(""));
    call.anomaly = row.anomaly.value_or(std::nan(""));
    call.scores = row.scores;
    call.result.nfe = row.nfe;
    return call;
}

void ClassifyRun::keepRow(const ClassifyItem &item, const classify::CellCall &call, const QString &secondClass)
{
    m_rows.push_back({item, call, secondClass});
    if (!m_judgeCalls)
        return;
    classify::countCall(m_domainCheck, m_model, call.result.nfe, call.anomaly);
}

ClassifyRun::Step ClassifyRun::classifyStored(const ClassifyItem &item, long long &newNfe)
{
    const bool predict = !m_finished.contains(item.cellId);
    const auto outcome = m_service.classifyStoredCell(*m_database, item.cellId, predict,
                                                      m_plan.needsSecondOpinion.contains(item.cellId),
                                                      [this] { return cancelled(); });
    if (!outcome.error.isEmpty()) {
        if (outcome.cancelled)
            return Step::Cancelled;
        err() << "\nskipped " << item.label << ": " << outcome.error << "\n";
        return Step::Skipped;
    }
    const QString secondClass =
        outcome.secondOpinionClass.isEmpty() ? m_storedSecond.value(item.cellId) : outcome.secondOpinionClass;
    const db::PredictionRow row = predict ? *outcome.prediction : m_finished.value(item.cellId);
    keepRow(item, callOfRow(row), secondClass);
    newNfe = predict ? row.nfe : 0;
    return predict ? Step::Classified : Step::Kept;
}

// Files, or a workspace that cannot be written: the CSV only.
ClassifyRun::Step ClassifyRun::classifyFile(const ClassifyItem &item, long long &newNfe)
{
    QString secondClass = m_storedSecond.value(item.cellId);
    if (const auto it = m_finished.constFind(item.cellId); it != m_finished.cend()) {
        keepRow(item, callOfRow(*it), secondClass);
        return Step::Kept;
    }
    Result<QByteArray> bytes = itemBytes(item, m_database ? &*m_database : nullptr);
    const std::string_view view =
        bytes ? std::string_view(bytes->constData(), std::size_t(bytes->size())) : std::string_view();
    auto call = bytes ? m_service.classifyImage(view, [this] { return cancelled(); })
                      : Result<classify::CellCall>(makeError(bytes.error()));
    if (!call) {
        if (cancelled())
            return Step::Cancelled;
        err() << "\nskipped " << item.label << ": " << QString::fromStdString(call.error()) << "\n";
        return Step::Skipped;
    }
    if (m_second && secondClass.isEmpty()) {
        auto secondCall = m_service.secondOpinion(view);
        if (secondCall)
            secondClass = secondCall->predictedClass;
        else
            err() << "\nno second opinion on " << item.label << ": " << QString::fromStdString(secondCall.error()) << "\n";
    }
    keepRow(item, *call, secondClass);
    newNfe = call->result.nfe;
    return Step::Classified;
}

void ClassifyRun::classifyAll()
{
    checkImagesOfItems(m_domainCheck, m_service, m_items, m_database ? &*m_database : nullptr);
    ProgressBar progress(QStringLiteral("classifying"));
    QElapsedTimer timer;
    timer.start();
    for (const ClassifyItem &item : m_items) {
        if (cancelled())
            break;
        long long nfe = 0;
        const Step step = storing() ? classifyStored(item, nfe) : classifyFile(item, nfe);
        if (step == Step::Cancelled)
            break;
        if (step == Step::Skipped) {
            ++m_failed;
            continue;
        }
        if (step == Step::Kept) {
            ++m_kept;
            continue;
        }
        m_totalNfe += nfe;
        ++m_done;
        const double rate = m_done / std::max(timer.elapsed() / 1000.0, 1e-3);
        progress.update(m_done + m_kept, m_items.size(), QStringLiteral("%1 cells/s").arg(rate, 0, 'f', 2));
    }
    m_seconds = timer.elapsed() / 1000.0;
    progress.finish();
}

bool ClassifyRun::writeRow(QTextStream &csv, const Row &row, const review::ReviewThresholds &thresholds) const
{
    classify::CellCall secondCall;
    if (!row.secondClass.isEmpty()) {
        secondCall.predicted = 0; // only the class is compared
        secondCall.predictedClass = row.secondClass;
    }
    const auto &call = row.call;
    const auto review = classify::reviewDecision(call, row.secondClass.isEmpty() ? nullptr : &secondCall,
                                                 m_labels.value(row.item.cellId), thresholds);
    csv << db::csvField(row.item.label) << "," << call.predictedClass << "," << QString::number(call.confidence, 'g', 6)
        << "," << QString::number(call.anomaly, 'g', 6) << "," << call.result.nfe;
    for (const auto &c : m_model.card().classNames)
        csv << "," << QString::number(call.scores.value(QString::fromStdString(c), std::nan("")), 'g', 6);
    csv << "," << row.secondClass << "," << (review.inQueue() ? "yes" : "no") << "," << review.reason() << "\n";
    return review.inQueue();
}

int ClassifyRun::finish(QFile &out)
{
    QTextStream csv(&out);
    csv << "path,predicted,confidence,anomaly,nfe";
    for (const auto &c : m_model.card().classNames)
        csv << ",score_" << QString::fromStdString(c);
    csv << ",second_opinion,review,review_reason\n";
    const domain::DomainVerdict verdict = domain::afterNormalisation(m_domainCheck.verdict(), m_service.normalisation());
    review::ReviewThresholds thresholds;
    thresholds.reviewEveryCell = verdict.outside;
    int queued = 0;
    for (const Row &row : m_rows)
        queued += writeRow(csv, row, thresholds) ? 1 : 0;
    csv.flush();
    reportDomainVerdict(verdict);
    // The GUI's banner, queue and sign-off read the stored check; the same
    // service makes it from the stored calls (equal to the verdict above).
    if (storing() && !cancelled())
        if (auto stored = m_service.checkDomain(*m_database, m_caseId); !stored)
            err() << "warning: the domain check could not be stored: " << QString::fromStdString(stored.error()) << "\n";
    err() << "classified " << m_done << " of " << m_items.size() - m_kept << " cells"
          << (m_failed ? QStringLiteral(" (%1 failed)").arg(m_failed) : QString()) << " in "
          << QString::number(m_seconds, 'f', 1) << " s, " << QString::number(m_done / std::max(m_seconds, 1e-9), 'f', 2)
          << " cells/s, mean NFE " << (m_done ? m_totalNfe / m_done : 0) << (cancelled() ? " (cancelled)" : "") << "\n";
    err() << "review queue: " << queued << " of " << m_done + m_kept << " cells (default thresholds"
          << (m_second ? QStringLiteral(", second opinion of %1").arg(m_service.secondOpinionModelId()) : QString())
          << ")\n";
    return cancelled() ? kExitBadInput : (m_done + m_kept == 0 ? kExitBadInput : kExitOk);
}

int runClassify(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Classify cell images or a case with a diffusion model."));
    addModelOptions(parser);
    addEstimatorOptions(parser);
    parser.addOption(databaseOption());
    parser.addOption({QStringLiteral("case"), QStringLiteral("Case name or id in the workspace."), QStringLiteral("case")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output CSV file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("second-opinion"),
                      QStringLiteral("A second model (e.g. models/baseline-pbc8.pt) whose call on every cell is "
                                     "written next to the prediction; where the two differ the cell goes to the review "
                                     "queue, as in the GUI (its default)."),
                      QStringLiteral("model")});
    parser.addOption({QStringLiteral("reclassify"), QStringLiteral("With --case: classify cells again that already have "
                                                                   "a prediction of this model (default: keep them, so "
                                                                   "an interrupted run resumes).")});
    parser.addPositionalArgument(QStringLiteral("inputs"), QStringLiteral("Images or folders."), QStringLiteral("[inputs...]"));
    int exitCode = 0;
    if (!parseOrHelp(parser, args, exitCode))
        return exitCode;
    const bool caseMode = parser.isSet(QStringLiteral("case"));
    if (!parser.isSet(QStringLiteral("out")) || (caseMode == !parser.positionalArguments().isEmpty())) {
        err() << "usage: cytodiff-cli classify --model M (--db F --case C | <images or folders...>) --out preds.csv\n";
        return kExitUsage;
    }
    auto model = loadModel(parser);
    if (!model)
        return fail(model.error());
    auto options = estimatorOptionsFrom(parser);
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    std::optional<engine::Model> second;
    if (parser.isSet(QStringLiteral("second-opinion"))) {
        auto loaded = engine::Model::load(parser.value(QStringLiteral("second-opinion")).toStdString(),
                                          parser.value(QStringLiteral("device")).toStdString());
        if (!loaded)
            return fail(loaded.error());
        if (loaded->card().classNames != model->card().classNames)
            return fail("The second-opinion model " + loaded->card().modelId() + " knows other classes than "
                        + model->card().modelId() + ".");
        second = std::move(*loaded);
    }
    // A damaged profile fails every call: say it once, before any cell.
    const auto profile = classify::profileUse(*model, options);
    if (profile.profile && !*profile.profile)
        return fail(profile.profile->error());
    if (!profile.notice.empty())
        err() << "note: " << QString::fromStdString(profile.notice) << "\n";
    ClassifyRun run(*model, second ? &*second : nullptr, options);
    if (const std::string notice = run.service().domainCheckNotice(); !notice.empty())
        err() << "note: " << QString::fromStdString(notice) << "\n";
    const auto planned = caseMode ? run.planCase(parser.value(QStringLiteral("db")), parser.value(QStringLiteral("case")),
                                                 parser.isSet(QStringLiteral("reclassify")))
                                  : run.planFiles(parser.positionalArguments());
    if (!planned)
        return fail(planned.error());
    QFile out(parser.value(QStringLiteral("out")));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return fail("Cannot write '" + out.fileName().toStdString() + "'.");
    run.classifyAll();
    return run.finish(out);
}

// A second model's call on every cell of a case (the shipped baseline CNN),
// stored apart from the predictions; the GUI's review queue puts the cells
// where it differs from the latest prediction first. Cells that already
// have a second opinion of this model are kept, so a stopped run resumes.
int runSecondOpinion(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Store a second model's call on every cell of a case (e.g. models/baseline-pbc8.pt) and list the cells "
        "where it differs from the latest prediction: they head the review queue."));
    addModelOptions(parser);
    parser.addOption(databaseOption());
    parser.addOption({QStringLiteral("case"), QStringLiteral("Case name or id in the workspace."), QStringLiteral("case")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("CSV of the cells where the calls differ (optional)."), QStringLiteral("file")});
    int exitCode = 0;
    if (!parseOrHelp(parser, args, exitCode))
        return exitCode;
    if (!parser.isSet(QStringLiteral("case"))) {
        err() << "usage: cytodiff-cli second-opinion --model M --db F --case C [--out differs.csv]\n";
        return kExitUsage;
    }
    auto model = loadModel(parser);
    if (!model)
        return fail(model.error());
    auto database = openDatabaseFromOption(parser.value(QStringLiteral("db")));
    if (!database)
        return fail(database.error());
    if (database->isReadOnly())
        return fail(database->readOnlyReason().toStdString());
    auto found = database->findCase(parser.value(QStringLiteral("case")));
    if (!found)
        return fail(found.error());
    classify::ClassificationService service(nullptr, &*model);
    const QString modelId = service.secondOpinionModelId();
    auto plan = service.planCase(*database, found->id);
    if (!plan)
        return fail(plan.error());
    const QList<qint64> todo = plan->todo();
    SigintCancel sigint;
    ProgressBar progress(QStringLiteral("second opinion"));
    int stored = 0, failed = 0;
    for (qint64 cellId : todo) {
        if (sigint.isCancelled())
            break;
        const auto outcome = service.classifyStoredCell(*database, cellId, false, true);
        if (!outcome.error.isEmpty()) {
            err() << "\nskipped cell " << cellId << ": " << outcome.error << "\n";
            ++failed;
            continue;
        }
        ++stored;
        progress.update(stored + failed, todo.size(), {});
    }
    progress.finish();
    auto cells = database->cellsOfCase(found->id);
    if (!cells)
        return fail(cells.error());
    QStringList differ;
    int compared = 0;
    for (const db::CellSummary &cell : *cells) {
        if (!cell.hasPrediction || cell.secondOpinionClass.isEmpty())
            continue;
        ++compared;
        if (cell.secondOpinionClass != cell.predictedClass)
            differ << QStringLiteral("%1,%2,%3,%4,%5").arg(cell.id).arg(db::csvField(cell.originalName), cell.modelId,
                                                          cell.predictedClass, cell.secondOpinionClass);
    }
    if (parser.isSet(QStringLiteral("out"))) {
        QFile file(parser.value(QStringLiteral("out")));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            return fail("Cannot write '" + file.fileName().toStdString() + "'.");
        QTextStream csv(&file);
        csv << "cell_id,original_name,model_id,predicted_class,second_opinion_class\n";
        for (const QString &line : differ)
            csv << line << "\n";
    }
    out() << "stored " << stored << " second opinions of " << modelId << " in case '" << found->name << "'"
          << (failed ? QStringLiteral(" (%1 failed)").arg(failed) : QString()) << "; the calls differ on "
          << differ.size() << " of " << compared << " classified cells"
          << (sigint.isCancelled() ? QStringLiteral(" (cancelled)") : QString()) << "\n";
    return sigint.isCancelled() || failed ? kExitBadInput : kExitOk;
}

namespace {

// Nearest-neighbour enlargement so small network-resolution images are
// viewable; PNG viewers would otherwise smooth or shrink them.
FloatImage enlarge(const FloatImage &image, int factor)
{
    FloatImage out{image.channels, image.height * factor, image.width * factor, {}};
    out.data.resize(std::size_t(out.channels) * out.height * out.width);
    for (int c = 0; c < image.channels; ++c)
        for (int y = 0; y < out.height; ++y)
            for (int x = 0; x < out.width; ++x)
                out.data[(std::size_t(c) * out.height + y) * out.width + x] =
                    image.data[(std::size_t(c) * image.height + y / factor) * image.width + x / factor];
    return out;
}

Result<void> writePng(const QString &path, const FloatImage &image)
{
    auto png = imaging::encodePng(image);
    if (!png)
        return makeError(png.error());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(png->data(), qint64(png->size())) != qint64(png->size()))
        return makeError("Cannot write '" + path.toStdString() + "'.");
    return {};
}

} // namespace

int runHeatmap(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Write counterfactual heatmaps of one cell image: what would have "
                                                    "to change for it to read as each class (dark = add, light = remove)."));
    addModelOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output folder."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("trials"), QStringLiteral("Paired trials to average (default 64)."), QStringLiteral("N"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("gain"), QStringLiteral("Display gain of the delta maps (default: auto, the "
                                                             "strongest change of any class at full contrast)."),
                      QStringLiteral("g")});
    parser.addPositionalArgument(QStringLiteral("image"), QStringLiteral("Cell image."));
    int exitCode = 0;
    if (!parseOrHelp(parser, args, exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1 || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli heatmap --model M <image> --out dir/\n";
        return kExitUsage;
    }
    auto model = loadModel(parser);
    if (!model)
        return fail(model.error());
    auto bytes = imaging::readFile(parser.positionalArguments().first().toStdString());
    if (!bytes)
        return fail(bytes.error());
    auto input = classify::ClassificationService::prepare(*bytes, *model);
    if (!input)
        return fail(input.error());
    auto maps = model->heatmaps(*input, parser.value(QStringLiteral("trials")).toInt(),
                                parser.value(QStringLiteral("seed")).toULongLong());
    if (!maps)
        return fail(maps.error());
    const QDir dir(parser.value(QStringLiteral("out")));
    if (!dir.mkpath(QStringLiteral(".")))
        return fail("Cannot create '" + dir.path().toStdString() + "'.");
    // One gain for every class, so the maps can be compared with each other.
    double gain = parser.value(QStringLiteral("gain")).toDouble();
    if (!parser.isSet(QStringLiteral("gain"))) {
        // The 98th percentile, not the maximum: a few extreme pixels would
        // otherwise wash every map out to grey.
        std::vector<float> magnitudes;
        for (const auto &delta : maps->deltas) {
            const std::size_t plane = std::size_t(delta.height) * delta.width;
            for (std::size_t i = 0; i < plane; ++i)
                magnitudes.push_back(std::fabs(delta.data[i] + delta.data[i + plane] + delta.data[i + 2 * plane]) / 3.0f);
        }
        auto nth = magnitudes.begin() + std::ptrdiff_t(magnitudes.size() * 98 / 100);
        std::nth_element(magnitudes.begin(), nth, magnitudes.end());
        gain = 1.0 / std::max(*nth, 1e-6f);
    }
    constexpr int kZoom = 4;
    const auto &classes = model->card().classNames;
    auto written = writePng(dir.filePath(QStringLiteral("original.png")), enlarge(maps->input, kZoom));
    // The overlay shows the runner-up: the most informative counterfactual.
    int runnerUp = -1;
    double smallest = 1e300;
    for (std::size_t c = 0; c < classes.size() && written; ++c) {
        const auto &delta = maps->deltas[c];
        written = writePng(dir.filePath(QStringLiteral("heatmap_%1.png").arg(QString::fromStdString(classes[c]))),
                           enlarge(engine::renderHeatmap(delta, gain), kZoom));
        double energy = 0;
        for (float v : delta.data)
            energy += double(v) * v;
        if (int(c) != maps->predicted && energy < smallest) {
            smallest = energy;
            runnerUp = int(c);
        }
    }
    if (written && runnerUp >= 0) {
        written = writePng(dir.filePath(QStringLiteral("overlay_%1.png").arg(QString::fromStdString(classes[runnerUp]))),
                           enlarge(engine::renderOverlay(maps->input, maps->deltas[runnerUp], gain, 0.7), kZoom));
    }
    if (!written)
        return fail(written.error());
    out() << "predicted " << QString::fromStdString(classes[maps->predicted]) << "; wrote "
                        << classes.size() + 2 << " PNG files to " << dir.path() << "\n";
    return kExitOk;
}

int runGenerate(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Generate synthetic cells of one class (DDIM)."));
    addModelOptions(parser);
    parser.addOption({QStringLiteral("class"), QStringLiteral("Class name."), QStringLiteral("name")});
    parser.addOption({QStringLiteral("count"), QStringLiteral("Number of images (default 8)."), QStringLiteral("N"), QStringLiteral("8")});
    parser.addOption({QStringLiteral("steps"), QStringLiteral("Sampling steps (default 50)."), QStringLiteral("N"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("guidance"), QStringLiteral("Classifier-free guidance scale (default 1 = none)."), QStringLiteral("g"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output folder."), QStringLiteral("dir")});
    int exitCode = 0;
    if (!parseOrHelp(parser, args, exitCode))
        return exitCode;
    if (!parser.isSet(QStringLiteral("class")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli generate --model M --class C --count N --steps 50 --out dir/\n";
        return kExitUsage;
    }
    auto model = loadModel(parser);
    if (!model)
        return fail(model.error());
    const int classIndex = model->classIndex(parser.value(QStringLiteral("class")).toStdString());
    if (classIndex < 0)
        return fail("The model has no class '" + parser.value(QStringLiteral("class")).toStdString() + "'.");
    SigintCancel sigint;
    auto images = model->generate(classIndex, std::max(1, parser.value(QStringLiteral("count")).toInt()),
                                  parser.value(QStringLiteral("steps")).toInt(),
                                  parser.value(QStringLiteral("guidance")).toDouble(),
                                  parser.value(QStringLiteral("seed")).toULongLong(),
                                  [&sigint] { return sigint.isCancelled(); });
    if (!images)
        return fail(images.error());
    const QDir dir(parser.value(QStringLiteral("out")));
    if (!dir.mkpath(QStringLiteral(".")))
        return fail("Cannot create '" + dir.path().toStdString() + "'.");
    for (std::size_t i = 0; i < images->size(); ++i) {
        auto written = writePng(dir.filePath(QStringLiteral("%1_%2.png").arg(parser.value(QStringLiteral("class"))).arg(i, 4, 10, QLatin1Char('0'))),
                                (*images)[i]);
        if (!written)
            return fail(written.error());
    }
    out() << "wrote " << images->size() << " synthetic " << parser.value(QStringLiteral("class"))
                        << " images to " << dir.path() << "\n";
    return kExitOk;
}

int runBench(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measure network evaluations/s, mean NFE per cell and cells/s."));
    addModelOptions(parser);
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder for the per-cell figures."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("cells"), QStringLiteral("Cells per protocol (default 24)."), QStringLiteral("N"), QStringLiteral("24")});
    int exitCode = 0;
    if (!parseOrHelp(parser, args, exitCode))
        return exitCode;
    auto model = loadModel(parser);
    if (!model)
        return fail(model.error());
    out() << "model " << QString::fromStdString(model->card().modelId()) << " ("
        << QString::fromStdString(model->card().network.describe()) << ")\n";
    int bestThreads = 1;
    double bestRate = 0;
    for (int threads : {1, 2}) {
        engine::setThreadCount(threads);
        for (int batch : {8, 32}) {
            const double rate = model->benchmarkNetwork(batch, 3);
            out() << "threads " << threads << " batch " << batch << ": " << QString::number(rate, 'f', 1)
                << " network evaluations/s\n";
            if (batch == 32 && rate > bestRate) {
                bestRate = rate;
                bestThreads = threads;
            }
        }
    }
    out() << "best thread setting: " << bestThreads << "\n";
    engine::setThreadCount(bestThreads);
    if (!parser.isSet(QStringLiteral("data")))
        return kExitOk;
    auto images = dataset::scanLabelledFolder(parser.value(QStringLiteral("data")));
    if (!images)
        return fail(images.error());
    // Every k-th image so all classes are represented.
    const int cells = std::max(1, parser.value(QStringLiteral("cells")).toInt());
    QList<dataset::LabelledImage> picked;
    const int stride = std::max<qsizetype>(1, images->size() / cells);
    for (int i = 0; i < images->size() && picked.size() < cells; i += stride)
        picked.append((*images)[i]);
    for (auto protocol : {engine::Protocol::Fast, engine::Protocol::Paper}) {
        engine::ClassifyOptions options;
        options.protocol = protocol;
        QElapsedTimer timer;
        timer.start();
        long long nfe = 0;
        int correct = 0;
        for (int i = 0; i < picked.size(); ++i) {
            auto bytes = imaging::readFile(picked[i].path.toStdString());
            if (!bytes)
                return fail(bytes.error());
            const classify::ClassificationService service(&*model, nullptr, options);
            auto call = service.classifyImage(*bytes);
            if (!call)
                return fail(call.error());
            nfe += call->result.nfe;
            correct += call->predictedClass == picked[i].className;
        }
        const double seconds = timer.elapsed() / 1000.0;
        out() << (protocol == engine::Protocol::Fast ? "fast " : "paper") << " protocol: " << picked.size()
            << " cells, mean NFE " << QString::number(double(nfe) / picked.size(), 'f', 1) << ", "
            << QString::number(picked.size() / seconds, 'f', 3) << " cells/s, accuracy "
            << QString::number(100.0 * correct / picked.size(), 'f', 1) << "%\n";
        }
    return kExitOk;
}

} // namespace cytodiff::cli
