#pragma once
// The GUI's persistent preferences, one typed accessor per key, so a key's
// spelling lives in exactly one place (QSettings keys are stringly typed).

#include "differential.h"
#include "resultmessage.h"
#include "reviewpriority.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace cytodiff::ui {

class AppSettings {
public:
    static constexpr int kMaxRecentWorkspaces = 8;

    // Most recent first; paths that no longer exist are kept (a network
    // share may be offline) and shown as such by the menu.
    static QStringList recentWorkspaces();
    static void addRecentWorkspace(const QString &path);
    static void removeRecentWorkspace(const QString &path);
    static QString lastWorkspace();

    // The last laboratory server address typed (never a password).
    static QString lastServerAddress();
    static void setLastServerAddress(const QString &address);

    static QString lastImportFolder();
    static void setLastImportFolder(const QString &path);

    static QByteArray mainWindowGeometry();
    static void setMainWindowGeometry(const QByteArray &geometry);
    static QByteArray mainWindowState();
    static void setMainWindowState(const QByteArray &state);
    static QByteArray mainSplitterState();
    static void setMainSplitterState(const QByteArray &state);

    // The GUI language: "" follows the system, else a code such as "de"
    // (TranslationLoader::choices()). Read once at start.
    static QString language();
    static void setLanguage(const QString &code);

    static int thumbnailSize();
    static void setThumbnailSize(int pixels);

    // ---- classification ----
    // The model file chosen in Settings; empty when none was chosen.
    static QString modelPath();
    static void setModelPath(const QString &path);
    // The chosen model if set, else the shipped default model if it is
    // installed (defaultModelCandidates()), else empty.
    static QString effectiveModelPath();
    // The first installed candidate of a shipped model file (empty: the
    // default diffusion model), or empty.
    static QString defaultModelPath(const QString &fileName = {});
    // In order: bin/../share/cytodiff/models, beside the executable, the
    // XDG data folders' cytodiff/models, the source tree's models/.
    static QStringList defaultModelCandidates(const QString &fileName = QStringLiteral("cytodiff-v2-pbc8.pt"));
    // Second opinion: the shipped baseline CNN also calls every cell, and
    // cells where the two calls differ head the review queue (on by default;
    // docs/evaluation.md, "A second opinion").
    static bool secondOpinion();
    static void setSecondOpinion(bool on);
    static QString secondOpinionModelFile();
    // The installed second-opinion model when it is on, else empty.
    static QString effectiveSecondOpinionPath();
    static bool paperProtocol();
    static void setPaperProtocol(bool paper);
    static int maxTrials(); // 0: the protocol's default
    static void setMaxTrials(int trials);
    static int heatmapTrials();
    static void setHeatmapTrials(int trials);
    static bool classifyAfterImport();
    static void setClassifyAfterImport(bool on);

    // ---- review ----
    static review::ReviewThresholds reviewThresholds();
    static void setReviewThresholds(const review::ReviewThresholds &thresholds);
    // Who edits and imports, for the audit log: the reviewer's name if
    // given, else the login name.
    static QString reviewerName();
    // The name the reviewer gave (Settings > Review, or asked at the first
    // sign-off), which signatures carry; empty when none was given. The
    // placeholder "unknown" older versions could store counts as none.
    static QString storedReviewerName();
    static void setReviewerName(const QString &name);
    // A proposal for the name question: the account's full name from the
    // system's user database when it has one, else empty.
    static QString suggestedReviewerName();
    // The laboratory's ranges, or the shipped ones. Ranges saved before a
    // class had a shipped range (reference range version 1, without
    // immature granulocytes, blasts and variant lymphocytes) get the
    // shipped range for that class; a range cleared since is left out.
    static review::ReferenceRanges referenceRanges();
    static void setReferenceRanges(const review::ReferenceRanges &ranges);

    // Laboratory information system (issue 24): signed results as HL7
    // v2.5.1 files in a drop folder. Off by default.
    static bool lisOutputEnabled();
    static void setLisOutputEnabled(bool on);
    // "host:port" to send over MLLP instead of the drop folder; empty: the
    // drop folder.
    static QString lisMllpEndpoint();
    static void setLisMllpEndpoint(const QString &hostPort);
    // Where FHIR R4 bundles of the results go as well; empty: none.
    static QString lisFhirFolder();
    static void setLisFhirFolder(const QString &folder);
    static QString lisDropFolder();
    static void setLisDropFolder(const QString &folder);
    // The laboratory's LOINC map (JSON, see core/lis/loincmap.h); empty:
    // the shipped one.
    static QString lisLoincFile();
    static void setLisLoincFile(const QString &path);
    // Sending facility, receiving application, receiving facility.
    static QStringList lisNames();
    static void setLisNames(const QString &sendingFacility, const QString &receivingApplication,
                            const QString &receivingFacility);
    // Names and LOINC map; a LOINC file that cannot be read is an error
    // (sending under the shipped codes instead would be a silent change).
    static Result<lis::LisSettings> lisSettings();
};

} // namespace cytodiff::ui
