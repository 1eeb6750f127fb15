#pragma once
// Shown instead of the case browser while the workspace has no cases: says
// what to do next instead of presenting empty panes.

#include <QWidget>

class QLabel;
class QPushButton;

namespace cytodiff::ui {

class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget *parent = nullptr);

    void setWorkspacePath(const QString &path);
    QPushButton *importButton() const { return m_importButton; }

signals:
    void importRequested();
    void openWorkspaceRequested();

private:
    QLabel *m_workspaceLabel = nullptr;
    QPushButton *m_importButton = nullptr;
};

} // namespace cytodiff::ui
