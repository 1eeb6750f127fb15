#pragma once
// The GUI's persistent preferences, one typed accessor per key, so a key's
// spelling lives in exactly one place (QSettings keys are stringly typed).

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

    static QString lastImportFolder();
    static void setLastImportFolder(const QString &path);

    static QByteArray mainWindowGeometry();
    static void setMainWindowGeometry(const QByteArray &geometry);
    static QByteArray mainWindowState();
    static void setMainWindowState(const QByteArray &state);
    static QByteArray mainSplitterState();
    static void setMainSplitterState(const QByteArray &state);

    static int thumbnailSize();
    static void setThumbnailSize(int pixels);
};

} // namespace cytodiff::ui
