#pragma once
// Plain rows exchanged with the case database. Timestamps are UTC.

#include <QByteArray>
#include <QDateTime>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cytodiff::db {

// A case's laboratory identifiers (issue 24): as the export gives them or
// as a user types them, never made up; empty = not known. They reach the
// laboratory information system, so they are kept exactly, character for
// character.
struct CaseIdentifiers {
    QString accession; // the order (accession) number the result answers
    QString specimen;  // specimen id
    QString patientId;
    QString slideId;   // the analyser's slide id / barcode

    bool operator==(const CaseIdentifiers &) const = default;
};

// Why an identifier cannot be stored as it is (empty: it can): more than
// kMaxIdentifierLength characters, a control character (a line break would
// split an HL7 segment) or U+FFFD (the mark of text decoded with the wrong
// encoding: the identifier is already lost). what names the field.
inline constexpr int kMaxIdentifierLength = 200;
QString identifierProblem(const QString &what, const QString &value);
// The first problem among a case's identifiers; empty when all are fine.
QString identifiersProblem(const CaseIdentifiers &ids);

struct NewCase {
    QString name;       // unique per workspace
    QString slideId;    // slide barcode / ID, kept exactly as imported
    QString specimen;   // specimen id, kept exactly as imported
    QString sourcePath; // the export folder it came from
    QString instrument;
    // Last, so that brace-initialised rows written before them stay right.
    QString accession;  // order number, kept exactly as imported
    QString patientId;  // kept exactly as imported
};

// The source of a demo case of model-generated cells (core/demo),
// "synthetic:<model id>": no export folder can look like it.
inline constexpr char kSyntheticSourceScheme[] = "synthetic:";

struct CaseRow {
    qint64 id = 0;
    QString name;
    QString slideId;
    QString specimen;
    QString accession;
    QString patientId;
    QString sourcePath;
    QString instrument;
    QDateTime importedAt;
    QString status; // "open" or "signed"
    QString signedBy;
    QDateTime signedAt;
    int cellCount = 0;
    int labelledCount = 0; // cells with a canonical label_class

    bool isSigned() const { return status == QLatin1String("signed"); }
    // A demo case of model-generated cells, and the model that made them.
    bool isSynthetic() const { return sourcePath.startsWith(QLatin1String(kSyntheticSourceScheme)); }
    QString generatorModel() const
    {
        return isSynthetic() ? sourcePath.mid(qsizetype(sizeof kSyntheticSourceScheme) - 1) : QString();
    }
    CaseIdentifiers identifiers() const { return {accession, specimen, patientId, slideId}; }
};

struct NewCell {
    qint64 caseId = 0;
    QByteArray image;   // the original file bytes, stored losslessly
    QString sha256;     // lower-case hex of image
    int width = 0;
    int height = 0;
    QString originalName; // file name as exported
    QString sourcePath;   // path relative to the import root
    QString labelClass;   // canonical class id, or null when unknown/unlabelled
    QString rawCode;      // the code/folder name as in the export, verbatim
    bool unknownCode = false; // rawCode given but not in the synonym table
    std::optional<double> x; // position on the slide, if the export has it
    std::optional<double> y;
};

struct InsertedCell {
    qint64 cellId = 0;
    bool inserted = false; // false: a cell with the same SHA-256 already existed (cellId is that cell)
};

// A cell without its image bytes, for lists of 10,000 rows.
struct CellSummary {
    qint64 id = 0;
    qint64 caseId = 0;
    QString sha256;
    QString originalName;
    QString sourcePath;
    QString labelClass;
    QString rawCode;
    bool unknownCode = false;
    int width = 0;
    int height = 0;
    std::optional<double> x;
    std::optional<double> y;
    // The latest prediction, if any.
    bool hasPrediction = false;
    QString modelId;
    QString predictedClass;
    std::optional<double> confidence;
    std::optional<double> anomaly;
    QMap<QString, double> scores;
    int nfe = 0;
    // The latest second opinion (a second model's call), if any.
    QString secondOpinionModelId;
    QString secondOpinionClass;
};

struct PredictionRow {
    qint64 id = 0;
    qint64 cellId = 0;
    QString modelId;
    QString predictedClass;
    std::optional<double> confidence;
    std::optional<double> anomaly;
    QMap<QString, double> scores; // class id -> score
    int nfe = 0;                  // network function evaluations used
    QDateTime createdAt;
};

// One training example, produced by LabelledCellCursor.
struct LabelledCell {
    qint64 cellId = 0;
    qint64 caseId = 0;
    QString caseName;
    QString labelClass;
    QByteArray image; // empty when the query asked for no images
};

struct LabelledCellQuery {
    QStringList classes;       // empty: every labelled class
    std::optional<qint64> caseId; // unset: every case
    bool withImages = true;
};

enum class LabelConfidence { High, Moderate, Low, No };
QString labelConfidenceName(LabelConfidence confidence);
std::optional<LabelConfidence> labelConfidenceFromName(const QString &text);

struct LabellerRow {
    qint64 id = 0;
    QString name;
    int yearsExperience = 0;
};

struct LabelRow {
    qint64 id = 0;
    qint64 cellId = 0;
    qint64 labellerId = 0;
    QString labelClass;
    LabelConfidence confidence = LabelConfidence::No;
    QDateTime createdAt;
};

struct AuditEntry {
    qint64 id = 0;
    QDateTime at;
    QString actor;
    QString action;   // "import", "relabel", "amend", "sign", "label"
    QString entity;   // "case", "cell"
    qint64 entityId = 0;
    QString oldValue;
    QString newValue;
    QString reason;
};

// A case's latest domain check (core/domain), as stored.
struct DomainCheckRow {
    qint64 caseId = 0;
    QString modelId;
    bool outside = false;
    QString verdictJson;
    QString checkedAt;
};

} // namespace cytodiff::db
