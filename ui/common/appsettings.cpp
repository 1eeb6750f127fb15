#include "appsettings.h"

#include "cellclassnames.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>

#include <vector>
#endif

namespace cytodiff::ui {

namespace {
const QString kRecentKey = QStringLiteral("workspace/recent");
const QString kImportFolderKey = QStringLiteral("import/lastFolder");
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kSplitterKey = QStringLiteral("mainWindow/splitter");
const QString kLanguageKey = QStringLiteral("ui/language");
const QString kThumbnailKey = QStringLiteral("gallery/thumbnailSize");
constexpr int kDefaultThumbnail = 96;
const QString kModelKey = QStringLiteral("classification/modelPath");
const QString kPaperKey = QStringLiteral("classification/paperProtocol");
const QString kMaxTrialsKey = QStringLiteral("classification/maxTrials");
const QString kHeatmapTrialsKey = QStringLiteral("classification/heatmapTrials");
const QString kAutoClassifyKey = QStringLiteral("classification/afterImport");
const QString kMarginKey = QStringLiteral("review/marginBelow");
const QString kAnomalyKey = QStringLiteral("review/anomalyAbove");
const QString kCriticalKey = QStringLiteral("review/criticalAgreedMargin");
const QString kLisEnabledKey = QStringLiteral("lis/enabled");
const QString kLisFolderKey = QStringLiteral("lis/dropFolder");
const QString kLisMllpKey = QStringLiteral("lis/mllp");
const QString kLisFhirKey = QStringLiteral("lis/fhirFolder");
const QString kLisLoincKey = QStringLiteral("lis/loincFile");
const QString kLisSendingFacilityKey = QStringLiteral("lis/sendingFacility");
const QString kLisReceivingApplicationKey = QStringLiteral("lis/receivingApplication");
const QString kLisReceivingFacilityKey = QStringLiteral("lis/receivingFacility");
const QString kReviewerKey = QStringLiteral("review/reviewerName");
const QString kRangesKey = QStringLiteral("review/referenceRanges");
const QString kRangesSourceKey = QStringLiteral("review/referenceSource");
// 2: every white-cell class has a shipped range (issue 19).
const QString kRangesVersionKey = QStringLiteral("review/referenceRangesVersion");
constexpr int kRangesVersion = 2;
const QString kDefaultModelFile = QStringLiteral("cytodiff-v2-pbc8.pt");
const QString kSecondOpinionKey = QStringLiteral("classification/secondOpinion");
const QString kSecondOpinionFile = QStringLiteral("baseline-pbc8.pt");
constexpr int kDefaultHeatmapTrials = 32;

#ifdef Q_OS_UNIX
// The account's passwd entry (thread-safe variant; the buffer is sized as
// sysconf suggests).
template <typename Use>
QString fromPasswd(Use use)
{
    const long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(std::size_t(suggested > 0 ? suggested : 16384));
    passwd entry{};
    passwd *found = nullptr;
    if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
        return {};
    return use(*found);
}
#endif

QString loginName()
{
    QString user = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
#ifdef Q_OS_UNIX
    if (user.isEmpty())
        user = fromPasswd([](const passwd &entry) { return QString::fromLocal8Bit(entry.pw_name); });
#endif
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

bool isPlaceholderName(const QString &name)
{
    return name.isEmpty() || name.compare(QLatin1String("unknown"), Qt::CaseInsensitive) == 0;
}
} // namespace

QStringList AppSettings::recentWorkspaces()
{
    return QSettings().value(kRecentKey).toStringList();
}

void AppSettings::addRecentWorkspace(const QString &path)
{
    QStringList list = recentWorkspaces();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecentWorkspaces)
        list.removeLast();
    QSettings().setValue(kRecentKey, list);
}

void AppSettings::removeRecentWorkspace(const QString &path)
{
    QStringList list = recentWorkspaces();
    list.removeAll(path);
    QSettings().setValue(kRecentKey, list);
}

QString AppSettings::lastWorkspace()
{
    const QStringList list = recentWorkspaces();
    return list.isEmpty() ? QString() : list.first();
}

QString AppSettings::lastServerAddress()
{
    return QSettings().value(QStringLiteral("workspace/lastServer")).toString();
}

void AppSettings::setLastServerAddress(const QString &address)
{
    QSettings().setValue(QStringLiteral("workspace/lastServer"), address);
}

QString AppSettings::lastImportFolder()
{
    return QSettings().value(kImportFolderKey).toString();
}

void AppSettings::setLastImportFolder(const QString &path)
{
    QSettings().setValue(kImportFolderKey, path);
}

QByteArray AppSettings::mainWindowGeometry()
{
    return QSettings().value(kGeometryKey).toByteArray();
}

void AppSettings::setMainWindowGeometry(const QByteArray &geometry)
{
    QSettings().setValue(kGeometryKey, geometry);
}

QByteArray AppSettings::mainWindowState()
{
    return QSettings().value(kStateKey).toByteArray();
}

void AppSettings::setMainWindowState(const QByteArray &state)
{
    QSettings().setValue(kStateKey, state);
}

QByteArray AppSettings::mainSplitterState()
{
    return QSettings().value(kSplitterKey).toByteArray();
}

void AppSettings::setMainSplitterState(const QByteArray &state)
{
    QSettings().setValue(kSplitterKey, state);
}

QString AppSettings::language()
{
    return QSettings().value(kLanguageKey).toString().trimmed();
}

void AppSettings::setLanguage(const QString &code)
{
    QSettings().setValue(kLanguageKey, code);
}

int AppSettings::thumbnailSize()
{
    const int size = QSettings().value(kThumbnailKey, kDefaultThumbnail).toInt();
    // A corrupt or hand-edited value must not make the gallery unusable.
    return (size >= 48 && size <= 256) ? size : kDefaultThumbnail;
}

void AppSettings::setThumbnailSize(int pixels)
{
    QSettings().setValue(kThumbnailKey, pixels);
}

QString AppSettings::modelPath()
{
    return QSettings().value(kModelKey).toString();
}

void AppSettings::setModelPath(const QString &path)
{
    QSettings().setValue(kModelKey, path);
}

QStringList AppSettings::defaultModelCandidates(const QString &fileName)
{
    // Installed layout first (bin/../share/cytodiff/models), then beside
    // the executable, then the source tree of a developer build.
    const QString appDir = QCoreApplication::applicationDirPath();
    QStringList candidates = {
        QDir::cleanPath(appDir + QStringLiteral("/../share/cytodiff/models/") + fileName),
        QDir::cleanPath(appDir + QStringLiteral("/models/") + fileName),
    };
    // Installed under another prefix (/usr/local, a Flatpak, ~/.local):
    // the XDG data folders.
    for (const QString &dataDir : QStandardPaths::standardLocations(QStandardPaths::GenericDataLocation)) {
        const QString path = QDir::cleanPath(dataDir + QStringLiteral("/cytodiff/models/") + fileName);
        if (!candidates.contains(path))
            candidates << path;
    }
#ifdef CYTODIFF_SOURCE_MODELS_DIR
    candidates << QDir::cleanPath(QStringLiteral(CYTODIFF_SOURCE_MODELS_DIR "/") + fileName);
#endif
    return candidates;
}

QString AppSettings::defaultModelPath(const QString &fileName)
{
    for (const QString &candidate : defaultModelCandidates(fileName.isEmpty() ? kDefaultModelFile : fileName)) {
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return {};
}

QString AppSettings::secondOpinionModelFile()
{
    return kSecondOpinionFile;
}

bool AppSettings::secondOpinion()
{
    return QSettings().value(kSecondOpinionKey, true).toBool();
}

void AppSettings::setSecondOpinion(bool on)
{
    QSettings().setValue(kSecondOpinionKey, on);
}

QString AppSettings::effectiveSecondOpinionPath()
{
    return secondOpinion() ? defaultModelPath(kSecondOpinionFile) : QString();
}

QString AppSettings::effectiveModelPath()
{
    const QString chosen = modelPath();
    return chosen.isEmpty() ? defaultModelPath() : chosen;
}

bool AppSettings::paperProtocol()
{
    return QSettings().value(kPaperKey, false).toBool();
}

void AppSettings::setPaperProtocol(bool paper)
{
    QSettings().setValue(kPaperKey, paper);
}

int AppSettings::maxTrials()
{
    const int trials = QSettings().value(kMaxTrialsKey, 0).toInt();
    return (trials >= 0 && trials <= 100000) ? trials : 0;
}

void AppSettings::setMaxTrials(int trials)
{
    QSettings().setValue(kMaxTrialsKey, trials);
}

int AppSettings::heatmapTrials()
{
    const int trials = QSettings().value(kHeatmapTrialsKey, kDefaultHeatmapTrials).toInt();
    return (trials >= 2 && trials <= 10000) ? trials : kDefaultHeatmapTrials;
}

void AppSettings::setHeatmapTrials(int trials)
{
    QSettings().setValue(kHeatmapTrialsKey, trials);
}

bool AppSettings::classifyAfterImport()
{
    return QSettings().value(kAutoClassifyKey, true).toBool();
}

void AppSettings::setClassifyAfterImport(bool on)
{
    QSettings().setValue(kAutoClassifyKey, on);
}

review::ReviewThresholds AppSettings::reviewThresholds()
{
    review::ReviewThresholds thresholds;
    const QSettings settings;
    const double margin = settings.value(kMarginKey, thresholds.marginBelow).toDouble();
    if (margin >= 0.0 && margin <= 1.0)
        thresholds.marginBelow = margin;
    bool ok = false;
    const double anomaly = settings.value(kAnomalyKey, thresholds.anomalyAbove).toDouble(&ok);
    if (ok && std::isfinite(anomaly))
        thresholds.anomalyAbove = anomaly;
    // Below one half a "confident" critical call could be a coin toss: a
    // stored value that low (hand-edited) is not taken.
    const double critical = settings.value(kCriticalKey, thresholds.criticalAgreedMargin).toDouble(&ok);
    if (ok && std::isfinite(critical) && critical >= 0.5)
        thresholds.criticalAgreedMargin = std::min(critical, review::kEveryCriticalCall);
    return thresholds;
}

void AppSettings::setReviewThresholds(const review::ReviewThresholds &thresholds)
{
    QSettings settings;
    settings.setValue(kMarginKey, thresholds.marginBelow);
    settings.setValue(kAnomalyKey, thresholds.anomalyAbove);
    settings.setValue(kCriticalKey, thresholds.criticalAgreedMargin);
}

QString AppSettings::reviewerName()
{
    const QString name = storedReviewerName();
    return name.isEmpty() ? loginName() : name;
}

QString AppSettings::storedReviewerName()
{
    const QString name = QSettings().value(kReviewerKey).toString().trimmed();
    return isPlaceholderName(name) ? QString() : name;
}

QString AppSettings::suggestedReviewerName()
{
#ifdef Q_OS_UNIX
    // GECOS: "Full Name,room,work phone,home phone,other".
    const QString name = fromPasswd([](const passwd &entry) {
        return entry.pw_gecos ? QString::fromLocal8Bit(entry.pw_gecos).section(QLatin1Char(','), 0, 0).trimmed()
                              : QString();
    });
    return isPlaceholderName(name) ? QString() : name;
#else
    return {};
#endif
}

void AppSettings::setReviewerName(const QString &name)
{
    QSettings().setValue(kReviewerKey, name.trimmed());
}

review::ReferenceRanges AppSettings::referenceRanges()
{
    const QSettings settings;
    if (!settings.contains(kRangesKey))
        return review::ReferenceRanges::defaults();
    // "class:low:high" entries; a malformed entry is dropped, not guessed.
    review::ReferenceRanges ranges;
    for (const QString &entry : settings.value(kRangesKey).toStringList()) {
        const QStringList parts = entry.split(QLatin1Char(':'));
        bool lowOk = false, highOk = false;
        const double low = parts.value(1).toDouble(&lowOk);
        const double high = parts.value(2).toDouble(&highOk);
        if (parts.size() == 3 && lowOk && highOk && low <= high)
            ranges.ranges.append({parts.at(0), low, high});
    }
    ranges.source = settings.value(kRangesSourceKey).toString();
    if (settings.value(kRangesVersionKey, 1).toInt() < kRangesVersion) {
        // Saved when these classes had no shipped range, so nobody chose to
        // leave them without one.
        QStringList added;
        for (const review::ReferenceRange &range : review::ReferenceRanges::defaults().ranges) {
            if (!ranges.find(range.classId)) {
                ranges.ranges.append(range);
                added << CellClassNames::displayName(range.classId);
            }
        }
        if (!added.isEmpty())
            ranges.source = QCoreApplication::translate("AppSettings", "%1; %2: CytoDiff's shipped ranges")
                                .arg(ranges.source.isEmpty() ? QCoreApplication::translate("AppSettings", "source not given")
                                                             : ranges.source,
                                     added.join(QStringLiteral(", ")));
    }
    return ranges;
}

void AppSettings::setReferenceRanges(const review::ReferenceRanges &ranges)
{
    QStringList entries;
    for (const review::ReferenceRange &range : ranges.ranges)
        entries << QStringLiteral("%1:%2:%3").arg(range.classId).arg(range.lowPercent).arg(range.highPercent);
    QSettings settings;
    settings.setValue(kRangesKey, entries);
    settings.setValue(kRangesSourceKey, ranges.source);
    settings.setValue(kRangesVersionKey, kRangesVersion);
}

bool AppSettings::lisOutputEnabled()
{
    return QSettings().value(kLisEnabledKey, false).toBool();
}

void AppSettings::setLisOutputEnabled(bool on)
{
    QSettings().setValue(kLisEnabledKey, on);
}

QString AppSettings::lisMllpEndpoint()
{
    return QSettings().value(kLisMllpKey).toString();
}

void AppSettings::setLisMllpEndpoint(const QString &hostPort)
{
    QSettings().setValue(kLisMllpKey, hostPort);
}

QString AppSettings::lisFhirFolder()
{
    return QSettings().value(kLisFhirKey).toString();
}

void AppSettings::setLisFhirFolder(const QString &folder)
{
    QSettings().setValue(kLisFhirKey, folder);
}

QString AppSettings::lisDropFolder()
{
    return QSettings().value(kLisFolderKey).toString();
}

void AppSettings::setLisDropFolder(const QString &folder)
{
    QSettings().setValue(kLisFolderKey, folder);
}

QString AppSettings::lisLoincFile()
{
    return QSettings().value(kLisLoincKey).toString();
}

void AppSettings::setLisLoincFile(const QString &path)
{
    QSettings().setValue(kLisLoincKey, path);
}

void AppSettings::setLisNames(const QString &sendingFacility, const QString &receivingApplication,
                              const QString &receivingFacility)
{
    QSettings settings;
    settings.setValue(kLisSendingFacilityKey, sendingFacility);
    settings.setValue(kLisReceivingApplicationKey, receivingApplication);
    settings.setValue(kLisReceivingFacilityKey, receivingFacility);
}

QStringList AppSettings::lisNames()
{
    const QSettings stored;
    return {stored.value(kLisSendingFacilityKey).toString(), stored.value(kLisReceivingApplicationKey).toString(),
            stored.value(kLisReceivingFacilityKey).toString()};
}

Result<lis::LisSettings> AppSettings::lisSettings()
{
    const QStringList names = lisNames();
    lis::LisSettings settings;
    settings.sendingFacility = names.at(0);
    settings.receivingApplication = names.at(1);
    settings.receivingFacility = names.at(2);
    const QString loinc = lisLoincFile();
    if (!loinc.isEmpty()) {
        QFile file(loinc);
        if (!file.open(QIODevice::ReadOnly))
            return makeError("cannot read the LOINC map " + QDir::toNativeSeparators(loinc).toStdString() + ": " +
                             file.errorString().toStdString());
        auto map = lis::LoincMap::fromJson(file.readAll());
        if (!map)
            return makeError(map.error());
        settings.loinc = *map;
    }
    return settings;
}

} // namespace cytodiff::ui
