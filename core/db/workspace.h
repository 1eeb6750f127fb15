#pragma once
// Where a workspace lives when the user did not choose one.

#include "result.h"

#include <QString>

namespace cytodiff::db {

// QStandardPaths::AppDataLocation + "/workspace.cytodiff"; creates the
// folder. Needs QCoreApplication's organisation and application names set.
Result<QString> defaultWorkspacePath();

// File name suffix of workspace files, for file dialogs.
inline constexpr const char *kWorkspaceSuffix = "cytodiff";

} // namespace cytodiff::db
