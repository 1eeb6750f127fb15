#include "importer.h"

#include "classnames.h"
#include "database.h"
#include "imageio.h"
#include "statement.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <tuple>
#include <optional>
#include <thread>
#include <vector>

namespace cytodiff::importer {
namespace {

// What the worker threads find out about one file.
struct LoadedFile {
    QByteArray bytes;
    QString sha256;
    imaging::ImageInfo info;
    QString failure; // read or decode failure: the file is skipped with this reason
    bool duplicate = false;
    std::optional<LabelConflict> conflict; // a duplicate with another label than its kept copy
};

// What a label is compared by: the class, or the code when it maps to no
// class (an unknown code is a label too).
QString labelOf(const QString &labelClass, const QString &rawCode)
{
    return labelClass.isEmpty() ? rawCode : labelClass;
}

// Two copies of one image conflict when both carry a label and the labels
// differ; a copy without a label says nothing against the other.
std::optional<LabelConflict> conflictBetween(const PlannedFile &duplicate, const QString &keptPath,
                                             const QString &keptLabel, const QString &keptCase, bool inWorkspace)
{
    const QString label = labelOf(duplicate.labelClass, duplicate.rawCode);
    if (label.isEmpty() || keptLabel.isEmpty() || label == keptLabel)
        return std::nullopt;
    return LabelConflict{duplicate.relativePath, label, keptPath, keptLabel, keptCase, inWorkspace};
}

// Runs work(i) for i in [0, count) on up to `threads` threads. The work
// items touch disjoint LoadedFile slots, so no locking is needed.
template <typename Work>
void parallelFor(int count, int threads, Work work)
{
    const int workers = std::min(threads, count);
    if (workers <= 1) {
        for (int i = 0; i < count; ++i)
            work(i);
        return;
    }
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    pool.reserve(workers);
    for (int t = 0; t < workers; ++t) {
        pool.emplace_back([&] {
            for (int i = next++; i < count; i = next++)
                work(i);
        });
    }
    for (std::thread &thread : pool)
        thread.join();
}

void readAndHash(const PlannedFile &planned, LoadedFile &loaded)
{
    QFile file(planned.absolutePath);
    if (!file.open(QIODevice::ReadOnly)) {
        loaded.failure = QStringLiteral("cannot read the file (%1)").arg(file.errorString());
        return;
    }
    loaded.bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        loaded.failure = QStringLiteral("cannot read the file (%1)").arg(file.errorString());
        return;
    }
    if (loaded.bytes.isEmpty()) {
        loaded.failure = QStringLiteral("empty file");
        return;
    }
    loaded.sha256 = QString::fromLatin1(QCryptographicHash::hash(loaded.bytes, QCryptographicHash::Sha256).toHex());
}

void decode(LoadedFile &loaded)
{
    auto info = imaging::probe(std::string_view(loaded.bytes.constData(), static_cast<std::size_t>(loaded.bytes.size())));
    if (!info)
        loaded.failure = QString::fromStdString(info.error());
    else
        loaded.info = *info;
}

} // namespace

QString defaultActor()
{
    for (const char *variable : {"USER", "USERNAME", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable);
        if (!name.isEmpty())
            return name;
    }
    return QStringLiteral("unknown user");
}

namespace {

// Counts that only become true when their batch commits.
struct BatchTally {
    int imported = 0;
    int duplicates = 0;
    QList<LabelConflict> labelConflicts;
    QList<SkippedFile> skipped;
    QMap<QString, int> perClass;
    QMap<QString, int> unknownCodes;
    QHash<QString, qint64> casesCreated; // name -> id
    QHash<QString, int> importedPerCase;

    void mergeInto(ImportReport &report, QHash<QString, int> &importedPerCaseTotal) const
    {
        report.imported += imported;
        report.duplicates += duplicates;
        report.labelConflicts.append(labelConflicts);
        report.skipped.append(skipped);
        for (auto it = perClass.cbegin(); it != perClass.cend(); ++it)
            report.perClass[it.key()] += it.value();
        for (auto it = unknownCodes.cbegin(); it != unknownCodes.cend(); ++it)
            report.unknownCodes[it.key()] += it.value();
        for (auto it = importedPerCase.cbegin(); it != importedPerCase.cend(); ++it)
            importedPerCaseTotal[it.key()] += it.value();
    }
};

class ImportRun {
public:
    ImportRun(db::Database &db, const ImportPlan &plan, const ImportOptions &options,
              const ImportCallbacks &callbacks)
        : m_db(db), m_plan(plan), m_options(options), m_callbacks(callbacks)
    {
        m_threads = options.threads > 0 ? options.threads
                                        : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
        m_batchSize = std::max(1, options.batchSize);
    }

    ImportReport run()
    {
        QElapsedTimer timer;
        timer.start();
        m_report.root = m_plan.root;
        m_report.layout = m_plan.layout;
        m_report.classTableVersion = kClassTableVersion;
        m_report.total = static_cast<int>(m_plan.files.size());
        m_report.notes = m_plan.notes;

        for (int start = 0; start < m_report.total; start += m_batchSize) {
            if (cancelled()) {
                m_report.cancelled = true;
                break;
            }
            const int count = std::min(m_batchSize, m_report.total - start);
            if (!runBatch(start, count))
                break;
        }
        for (auto it = m_importedPerCase.cbegin(); it != m_importedPerCase.cend(); ++it) {
            if (!m_report.casesCreated.contains(it.key()))
                m_report.casesUpdated.append(it.key());
        }
        writeAudit();
        m_report.elapsedMs = timer.elapsed();
        return m_report;
    }

private:
    bool cancelled() const
    {
        if (m_callbacks.cancelFlag && m_callbacks.cancelFlag->load())
            return true;
        return m_callbacks.isCancelled && m_callbacks.isCancelled();
    }

    // Reading and decoding run outside the transaction, so the write lock
    // is held only while rows are inserted.
    void load(int start, int count, std::vector<LoadedFile> &loaded)
    {
        parallelFor(count, m_threads, [&](int i) {
            const PlannedFile &planned = m_plan.files.at(start + i);
            if (planned.skipReason.isEmpty())
                readAndHash(planned, loaded[i]);
        });
        // Duplicates are found before decoding: re-importing a known export
        // then costs a hash per file, not a decode.
        for (int i = 0; i < count; ++i) {
            LoadedFile &file = loaded[i];
            const PlannedFile &planned = m_plan.files.at(start + i);
            if (file.sha256.isEmpty() || !file.failure.isEmpty())
                continue;
            if (const auto seen = m_seenHashes.constFind(file.sha256); seen != m_seenHashes.cend()) {
                file.duplicate = true;
                file.conflict = conflictBetween(planned, seen->path, seen->label, QString(), false);
                continue;
            }
            // A failed look-up imports the file; insertCell checks again.
            auto existing = workspaceCopy(file.sha256);
            if (existing && *existing) {
                file.duplicate = true;
                file.conflict = conflictBetween(planned, (*existing)->sourcePath, (*existing)->label,
                                                (*existing)->caseName, true);
            } else {
                m_seenHashes.insert(file.sha256, {planned.relativePath, labelOf(planned.labelClass, planned.rawCode)});
            }
        }
        parallelFor(count, m_threads, [&](int i) {
            LoadedFile &file = loaded[i];
            if (!file.sha256.isEmpty() && file.failure.isEmpty() && !file.duplicate)
                decode(file);
        });
    }

    struct WorkspaceCopy {
        QString label;
        QString sourcePath;
        QString caseName;
    };

    // The cell already holding this image, with what a conflict report
    // names. One prepared statement for the run, reset after each use so
    // it holds no read transaction between files.
    Result<std::optional<WorkspaceCopy>> workspaceCopy(const QString &sha256)
    {
        if (!m_copyQuery.isValid()) {
            auto prepared = m_db.prepare("SELECT c.label_class, c.raw_code, c.source_path, k.name FROM cells c "
                                         "JOIN cases k ON k.id = c.case_id WHERE c.sha256 = ?");
            if (!prepared)
                return makeError(prepared.error());
            m_copyQuery = std::move(*prepared);
        }
        m_copyQuery.bind(1, sha256.toLower());
        auto row = m_copyQuery.step();
        std::optional<WorkspaceCopy> copy;
        if (row && *row)
            copy = WorkspaceCopy{labelOf(m_copyQuery.text(0), m_copyQuery.text(1)), m_copyQuery.text(2),
                                 m_copyQuery.text(3)};
        m_copyQuery.reset();
        if (!row)
            return makeError(row.error());
        return copy;
    }

    // Why an existing case must not receive this import's cells: the export
    // gives it an identifier that differs from the stored one, so the cells
    // may be another patient's. Empty when they agree or one side has none.
    QString identifierClash(const db::CaseRow &existing) const
    {
        const db::CaseIdentifiers given = m_plan.identifiers.value(existing.name);
        const db::CaseIdentifiers stored = existing.identifiers();
        for (auto [what, a, b] : {std::tuple{"accession number", stored.accession, given.accession},
                                  std::tuple{"specimen id", stored.specimen, given.specimen},
                                  std::tuple{"patient id", stored.patientId, given.patientId},
                                  std::tuple{"slide id", stored.slideId, given.slideId}})
            if (!a.isEmpty() && !b.isEmpty() && a != b)
                return QStringLiteral("case '%1' in the workspace has %2 '%3', this import gives '%4': the cells may "
                                      "be another patient's; import under another --case name")
                    .arg(existing.name, QLatin1String(what), a, b);
        return {};
    }

    // The case a file goes to, created on first use inside the batch's
    // transaction (so a rolled-back batch leaves no empty case behind).
    Result<qint64> caseFor(const PlannedFile &planned, BatchTally &tally)
    {
        if (auto known = m_caseIds.constFind(planned.caseName); known != m_caseIds.cend())
            return *known;
        if (auto created = tally.casesCreated.constFind(planned.caseName); created != tally.casesCreated.cend())
            return *created;
        if (auto refused = m_refusedCases.constFind(planned.caseName); refused != m_refusedCases.cend())
            return makeError(refused->toStdString());
        auto existing = m_db.caseByName(planned.caseName);
        if (!existing)
            return makeError(existing.error());
        if (*existing) {
            if ((*existing)->isSigned()) {
                m_refusedCases.insert(planned.caseName,
                                      QStringLiteral("case '%1' is signed and cannot receive cells; import under "
                                                     "another --case name")
                                          .arg(planned.caseName));
                return caseFor(planned, tally);
            }
            if (const QString clash = identifierClash(**existing); !clash.isEmpty()) {
                m_refusedCases.insert(planned.caseName, clash);
                return caseFor(planned, tally);
            }
            // Identifiers are changed by a person, audited, never as a side
            // effect of adding cells.
            if (m_plan.identifiers.contains(planned.caseName)
                && (*existing)->identifiers() != m_plan.identifiers.value(planned.caseName))
                m_report.notes.append(QStringLiteral("case '%1' already existed: identifiers this import gives that it "
                                                     "lacks were not stored; set them in the case's identifiers")
                                          .arg(planned.caseName));
            m_caseIds.insert(planned.caseName, (*existing)->id);
            return (*existing)->id;
        }
        db::NewCase newCase;
        newCase.name = planned.caseName;
        const db::CaseIdentifiers ids = m_plan.identifiers.value(planned.caseName);
        newCase.slideId = ids.slideId;
        newCase.specimen = ids.specimen;
        newCase.accession = ids.accession;
        newCase.patientId = ids.patientId;
        newCase.sourcePath = QDir::toNativeSeparators(m_plan.root);
        auto id = m_db.createCase(newCase);
        if (!id)
            return makeError(id.error());
        tally.casesCreated.insert(planned.caseName, *id);
        return *id;
    }

    // false: stop the import (cancelled or a database error).
    bool runBatch(int start, int count)
    {
        std::vector<LoadedFile> loaded(static_cast<std::size_t>(count));
        load(start, count, loaded);

        auto transaction = db::Transaction::begin(m_db);
        if (!transaction) {
            m_report.error = QString::fromStdString(transaction.error());
            return false;
        }
        BatchTally tally;
        for (int i = 0; i < count; ++i) {
            if (cancelled()) {
                m_report.cancelled = true;
                return false; // the transaction rolls the batch back
            }
            const PlannedFile &planned = m_plan.files.at(start + i);
            LoadedFile &file = loaded[i];
            if (!addFile(planned, file, tally))
                return false;
            file.bytes.clear(); // keep peak memory at about one batch
            if (m_callbacks.progress)
                m_callbacks.progress(start + i + 1, m_report.total, planned.relativePath);
        }
        if (auto committed = transaction->commit(); !committed) {
            m_report.error = QString::fromStdString(committed.error());
            return false;
        }
        for (auto it = tally.casesCreated.cbegin(); it != tally.casesCreated.cend(); ++it) {
            m_caseIds.insert(it.key(), it.value());
            m_report.casesCreated.append(it.key());
        }
        tally.mergeInto(m_report, m_importedPerCase);
        return true;
    }

    // false: a database error (recorded in the report).
    bool addFile(const PlannedFile &planned, const LoadedFile &file, BatchTally &tally)
    {
        const QString reason = !planned.skipReason.isEmpty() ? planned.skipReason : file.failure;
        if (!reason.isEmpty()) {
            tally.skipped.append({planned.relativePath, reason});
            return true;
        }
        if (file.duplicate) {
            ++tally.duplicates;
            if (file.conflict)
                tally.labelConflicts.append(*file.conflict);
            return true;
        }
        auto caseId = caseFor(planned, tally);
        if (!caseId) {
            if (m_refusedCases.contains(planned.caseName)) {
                tally.skipped.append({planned.relativePath, QString::fromStdString(caseId.error())});
                return true;
            }
            m_report.error = QString::fromStdString(caseId.error());
            return false;
        }
        db::NewCell cell;
        cell.caseId = *caseId;
        cell.image = file.bytes;
        cell.sha256 = file.sha256;
        cell.width = file.info.width;
        cell.height = file.info.height;
        cell.originalName = QFileInfo(planned.relativePath).fileName();
        cell.sourcePath = planned.relativePath;
        cell.labelClass = planned.labelClass;
        cell.rawCode = planned.rawCode;
        cell.unknownCode = planned.unknownCode;
        cell.x = planned.x;
        cell.y = planned.y;
        auto inserted = m_db.insertCell(cell);
        if (!inserted) {
            m_report.error = QString::fromStdString(inserted.error());
            return false;
        }
        if (!inserted->inserted) {
            ++tally.duplicates;
            return true;
        }
        ++tally.imported;
        ++tally.perClass[planned.labelClass];
        ++tally.importedPerCase[planned.caseName];
        if (planned.unknownCode)
            ++tally.unknownCodes[planned.rawCode];
        return true;
    }

    // One audit entry per case that received cells: where they came from
    // and which synonym table interpreted their codes.
    void writeAudit()
    {
        if (m_importedPerCase.isEmpty())
            return;
        auto transaction = db::Transaction::begin(m_db);
        if (!transaction) {
            if (m_report.error.isEmpty())
                m_report.error = QString::fromStdString(transaction.error());
            return;
        }
        const QString actor = m_options.actor.isEmpty() ? defaultActor() : m_options.actor;
        for (auto it = m_importedPerCase.cbegin(); it != m_importedPerCase.cend(); ++it) {
            db::AuditEntry entry;
            entry.actor = actor;
            entry.action = QStringLiteral("import");
            entry.entity = QStringLiteral("case");
            entry.entityId = m_caseIds.value(it.key());
            entry.newValue = QStringLiteral("%1 cells from %2 (%3; synonym table v%4)%5")
                                 .arg(it.value())
                                 .arg(QDir::toNativeSeparators(m_plan.root), layoutName(m_plan.layout))
                                 .arg(kClassTableVersion)
                                 .arg(m_report.cancelled ? QStringLiteral("; cancelled") : QString());
            if (auto logged = m_db.appendAudit(entry); !logged) {
                if (m_report.error.isEmpty())
                    m_report.error = QString::fromStdString(logged.error());
                return;
            }
        }
        if (auto committed = transaction->commit(); !committed && m_report.error.isEmpty())
            m_report.error = QString::fromStdString(committed.error());
    }

    db::Database &m_db;
    const ImportPlan &m_plan;
    const ImportOptions &m_options;
    const ImportCallbacks &m_callbacks;
    int m_threads = 1;
    int m_batchSize = 200;
    ImportReport m_report;
    // Images met earlier in this export: where, and under which label.
    struct SeenCopy {
        QString path;
        QString label;
    };
    QHash<QString, SeenCopy> m_seenHashes;
    db::Statement m_copyQuery;
    QHash<QString, qint64> m_caseIds; // committed cases by name
    QMap<QString, QString> m_refusedCases; // case name -> why it receives no cells
    QHash<QString, int> m_importedPerCase;
};

} // namespace

QString describeConflict(const LabelConflict &conflict)
{
    const auto shown = [](const QString &label) { return label.isEmpty() ? QStringLiteral("no label") : label; };
    QString text = QStringLiteral("%1 (%2) is the same image as %3 (%4)")
                       .arg(conflict.path, shown(conflict.label), conflict.keptPath, shown(conflict.keptLabel));
    if (conflict.keptInWorkspace)
        text += QStringLiteral(", already in the workspace (case '%1')").arg(conflict.keptCase);
    return text + QStringLiteral("; kept: %1, %2 not imported").arg(shown(conflict.keptLabel), conflict.path);
}

double ImportReport::cellsPerSecond() const
{
    return elapsedMs > 0 ? imported * 1000.0 / static_cast<double>(elapsedMs) : 0.0;
}

Result<ImportReport> importPlan(db::Database &db, const ImportPlan &plan, const ImportOptions &options,
                                const ImportCallbacks &callbacks)
{
    if (auto writable = db.ensureWritable(); !writable)
        return makeError(writable.error());
    ImportPlan withTyped = plan;
    if (auto typed = withTyped.setTypedIdentifiers(options.identifiers); !typed)
        return makeError(typed.error());
    return ImportRun(db, withTyped, options, callbacks).run();
}

Result<ImportReport> importFolder(db::Database &db, const QString &root, const ImportOptions &options,
                                  const ImportCallbacks &callbacks)
{
    if (auto writable = db.ensureWritable(); !writable)
        return makeError(writable.error());
    auto plan = planImport(root, options.caseName);
    if (!plan)
        return makeError(plan.error());
    return importPlan(db, *plan, options, callbacks);
}

} // namespace cytodiff::importer
