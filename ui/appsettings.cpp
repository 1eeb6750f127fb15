#include "appsettings.h"

#include <QSettings>

namespace cytodiff::ui {

namespace {
const QString kRecentKey = QStringLiteral("workspace/recent");
const QString kImportFolderKey = QStringLiteral("import/lastFolder");
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kSplitterKey = QStringLiteral("mainWindow/splitter");
const QString kThumbnailKey = QStringLiteral("gallery/thumbnailSize");
constexpr int kDefaultThumbnail = 96;
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

} // namespace cytodiff::ui
