#include "workspace.h"

#include <QDir>
#include <QStandardPaths>

namespace cytodiff::db {

Result<QString> defaultWorkspacePath()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (folder.isEmpty())
        return makeError("this system has no per-user application data folder; choose a workspace with --db");
    if (!QDir().mkpath(folder))
        return makeError("cannot create the workspace folder " + folder.toStdString());
    return folder + QStringLiteral("/workspace.") + QLatin1String(kWorkspaceSuffix);
}

} // namespace cytodiff::db
