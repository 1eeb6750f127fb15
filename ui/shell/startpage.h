#pragma once
// Shown instead of the case browser while the workspace has no cases: says
// what to do next instead of presenting empty panes.

#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace cytodiff::ui {

class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget *parent = nullptr);

    void setWorkspacePath(const QString &path);
    QPushButton *importButton() const { return m_importButton; }
    // The demo case (democase.h): enabled only with a model to generate
    // the cells; `note` says what the button does, or why it is disabled;
    // `details` (e.g. where the model was looked for) go to the tooltip.
    void setDemoAvailable(bool available, const QString &note, const QString &details = {});
    QPushButton *demoButton() const { return m_demoButton; }
    QLabel *demoNote() const { return m_demoNote; }

signals:
    void importRequested();
    void demoRequested();
    void openWorkspaceRequested();

private:
    void createChoiceButtons();
    void addChoiceButtons(QVBoxLayout *cardLayout);
    static QLabel *supportedLayoutsLabel();

    QLabel *m_workspaceLabel = nullptr;
    QPushButton *m_importButton = nullptr;
    QPushButton *m_demoButton = nullptr;
    QLabel *m_demoNote = nullptr;
};

} // namespace cytodiff::ui
