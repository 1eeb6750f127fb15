#include "filedialogs.h"

#include <QFileIconProvider>
#include <QFileSystemModel>
#include <QMimeDatabase>
#include <QSortFilterProxyModel>

namespace cytodiff::ui::FileDialogs {
namespace {

// The file type column from the name alone: QMimeDatabase's default match
// reads the file's first bytes.
class ExtensionIconProvider : public QFileIconProvider {
public:
    QString type(const QFileInfo &info) const override
    {
        if (info.isDir())
            return QFileIconProvider::type(info); // no file is opened for folders
        return m_mimes.mimeTypeForFile(info, QMimeDatabase::MatchExtension).comment();
    }

private:
    QMimeDatabase m_mimes;
};

ExtensionIconProvider &iconProvider()
{
    static ExtensionIconProvider provider;
    return provider;
}

bool isCompanion(const QString &lowerName)
{
    for (const char *suffix : {"-wal", "-shm", "-journal"}) {
        if (lowerName.endsWith(QLatin1String(suffix)))
            return true;
    }
    return false;
}

class WorkspaceFileFilter : public QSortFilterProxyModel {
public:
    WorkspaceFileFilter(Workspaces workspaces, QObject *parent)
        : QSortFilterProxyModel(parent), m_workspaces(workspaces)
    {
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const auto *files = qobject_cast<const QFileSystemModel *>(sourceModel());
        if (!files)
            return true;
        const QModelIndex index = files->index(row, 0, parent);
        if (files->isDir(index))
            return true;
        const QString name = files->fileName(index).toLower();
        if (isCompanion(name))
            return false;
        return m_workspaces == Workspaces::Show || !name.endsWith(QLatin1String(".cytodiff"));
    }

private:
    Workspaces m_workspaces;
};

QString run(QFileDialog &dialog)
{
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return {};
    return dialog.selectedFiles().first();
}

} // namespace

void makeSafe(QFileDialog &dialog, Workspaces workspaces)
{
    dialog.setIconProvider(&iconProvider());
    dialog.setProxyModel(new WorkspaceFileFilter(workspaces, &dialog));
}

QString existingFolder(QWidget *parent, const QString &title, const QString &start)
{
    QFileDialog dialog(parent, title, start);
    dialog.setFileMode(QFileDialog::Directory);
    dialog.setOption(QFileDialog::ShowDirsOnly);
    makeSafe(dialog, Workspaces::Hide);
    return run(dialog);
}

QString openFile(QWidget *parent, const QString &title, const QString &start, const QString &filter,
                 Workspaces workspaces)
{
    QFileDialog dialog(parent, title, start, filter);
    dialog.setFileMode(QFileDialog::ExistingFile);
    dialog.setAcceptMode(QFileDialog::AcceptOpen);
    makeSafe(dialog, workspaces);
    return run(dialog);
}

QString saveFile(QWidget *parent, const QString &title, const QString &start, const QString &filter,
                 QFileDialog::Options options, Workspaces workspaces)
{
    QFileDialog dialog(parent, title, start, filter);
    dialog.setFileMode(QFileDialog::AnyFile);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setOptions(dialog.options() | options);
    makeSafe(dialog, workspaces);
    return run(dialog);
}

} // namespace cytodiff::ui::FileDialogs
