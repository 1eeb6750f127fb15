// cytodiff-labelling-screenshot: screenshots of the labelling module on
// model-generated cells (pictures of ../shared images may not be committed).
//
//   QT_QPA_PLATFORM=offscreen cytodiff-labelling-screenshot
//       --cells <folder from cytodiff-make-demo-case> --out-dir docs/screenshots
//       [--db keep.cytodiff]   (keep the labelled workspace, e.g. to try the CLI)
//
// Four labellers label the generated cells in sessions with a shared common
// subset (scripted answers: the generating class, with seeded mistakes and
// confidences), then it grabs the blinded labelling view of a fifth
// labeller's session, the new-session dialog and the agreement report.

#include "agreementreportview.h"
#include "database.h"
#include "labellingdialogs.h"
#include "labellinganalysis.h"
#include "labellingview.h"
#include "sessionplanner.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QImage>
#include <QTabWidget>
#include <QTemporaryDir>

#include <cstdio>
#include <random>

using namespace cytodiff;

namespace {

bool save(QWidget &widget, const QString &path)
{
    widget.show();
    QApplication::processEvents();
    const bool ok = widget.grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("cells"), QStringLiteral("Folder of generated cells, one sub-folder per class."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("out-dir"), QStringLiteral("Where the PNGs go."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("db"), QStringLiteral("Write the workspace here (new file) instead of a temporary one."),
                      QStringLiteral("file")});
    parser.process(app);
    const QString cellsDir = parser.value(QStringLiteral("cells"));
    const QDir outDir(parser.value(QStringLiteral("out-dir")));
    if (cellsDir.isEmpty() || !outDir.exists()) {
        std::fprintf(stderr, "usage: cytodiff-labelling-screenshot --cells DIR --out-dir DIR\n");
        return 2;
    }
    QTemporaryDir temporary;
    const QString dbPath = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db"))
                                                              : temporary.filePath(QStringLiteral("labelling.cytodiff"));
    if (QFileInfo::exists(dbPath)) {
        std::fprintf(stderr, "%s exists: give a new file\n", qPrintable(dbPath));
        return 2;
    }
    auto opened = db::Database::open(dbPath);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().c_str());
        return 1;
    }
    db::Database &database = *opened;
    const qint64 caseId = *database.createCase({QStringLiteral("DEMO-LABELLING (synthetic cells)"), {}, {}, {}, {}, {}, {}});
    QHash<qint64, QString> truth;
    QDirIterator it(cellsDir, {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    for (const QString &file : files) {
        QFile in(file);
        if (!in.open(QIODevice::ReadOnly))
            continue;
        db::NewCell cell;
        cell.caseId = caseId;
        cell.image = in.readAll();
        const QImage image = QImage::fromData(cell.image);
        cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
        cell.width = image.width();
        cell.height = image.height();
        cell.originalName = QFileInfo(file).fileName();
        cell.sourcePath = cell.originalName;
        auto inserted = database.insertCell(cell);
        if (inserted)
            truth.insert(inserted->cellId, QFileInfo(file).dir().dirName());
    }
    if (truth.isEmpty()) {
        std::fprintf(stderr, "no PNG cells under %s\n", qPrintable(cellsDir));
        return 1;
    }

    // The paper's six experts had {34, 25, 15, 12, 6, 5} years; four here.
    const QList<QPair<QString, int>> experts = {{QStringLiteral("Dr A. Okafor"), 34},
                                                {QStringLiteral("Dr B. Lindqvist"), 25},
                                                {QStringLiteral("Dr C. Moreau"), 15},
                                                {QStringLiteral("Dr D. Tanaka"), 6}};
    std::mt19937_64 random(5);
    const QStringList classes = labelling::defaultClasses();
    for (int e = 0; e < experts.size(); ++e) {
        const qint64 labeller = *database.addLabeller(experts[e].first, experts[e].second);
        labelling::SessionPlanRequest request{{caseId}, int(truth.size() * 2 / 3), int(truth.size() / 3), quint64(e + 1)};
        auto plan = labelling::planSession(database, request);
        if (!plan) {
            std::fprintf(stderr, "%s\n", plan.error().c_str());
            return 1;
        }
        db::NewLabellingSession session{QStringLiteral("Batch 1"), labeller, db::SessionKind::Label, classes,
                                        plan->cells, plan->common};
        const qint64 sessionId = *database.createLabellingSession(session);
        for (qint64 cellId : plan->cells) {
            QString answer = truth.value(cellId);
            if (!classes.contains(answer))
                answer = QStringLiteral("artefact");
            const int roll = int(random() % 100);
            if (roll < 12 + 3 * e) // less experience, more slips
                answer = classes[int(random() % classes.size())];
            const int c = int(random() % 100);
            const auto confidence = c < 62 ? db::LabelConfidence::High
                                  : c < 86 ? db::LabelConfidence::Moderate
                                  : c < 97 ? db::LabelConfidence::Low
                                           : db::LabelConfidence::No;
            database.answerCurrentCell(sessionId, answer, confidence);
        }
    }
    const qint64 newcomer = *database.addLabeller(QStringLiteral("Dr E. Novak"), 5);

    ui::NewSessionDialog dialog(&database);
    dialog.setLabeller(newcomer);
    dialog.setSessionName(QStringLiteral("Batch 2"));
    dialog.setSize(int(truth.size() * 2 / 3));
    dialog.setCases({caseId});
    dialog.resize(640, 520);
    save(dialog, outDir.filePath(QStringLiteral("labelling-new-session.png")));
    const qint64 sessionId = dialog.createSession(11);
    dialog.hide();

    ui::LabellingView view(&database, sessionId);
    view.resize(1100, 720);
    view.show();
    QApplication::processEvents();
    for (int i = 0; i < 7; ++i) {
        const QString answer = truth.value(view.currentCellId());
        view.chooseClass(classes.contains(answer) ? answer : QStringLiteral("artefact"));
        view.chooseConfidence(i % 3 == 2 ? db::LabelConfidence::Moderate : db::LabelConfidence::High);
    }
    const QString current = truth.value(view.currentCellId());
    view.chooseClass(classes.contains(current) ? current : QStringLiteral("artefact"));
    save(view, outDir.filePath(QStringLiteral("labelling-view.png")));

    ui::AgreementReportView report(&database);
    report.resize(1100, 820);
    save(report, outDir.filePath(QStringLiteral("labelling-agreement.png")));
    // The second tab: per-class agreement and the cells labellers disagree on.
    report.tabs()->setCurrentIndex(1);
    save(report, outDir.filePath(QStringLiteral("labelling-disagreements.png")));

    // The label audit, at its own default size (it must fit a 1,440 px screen).
    ui::AuditDialog audit(&database);
    save(audit, outDir.filePath(QStringLiteral("labelling-audit.png")));
    return 0;
}
