#pragma once
// The "Labelling" menu of the main window: labeller profiles, new and
// continued sessions in the blinded labelling view, the agreement and
// disagreements window and the label audit. The dialogs are modal, so the workspace connection
// they use cannot be closed under them.

#include <QObject>

#include <functional>

class QMainWindow;
class QMenu;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class LabellingMenu : public QObject {
    Q_OBJECT
public:
    using DatabaseFn = std::function<db::Database *()>;
    // Adds the menu to the window's menu bar.
    LabellingMenu(QMainWindow *window, DatabaseFn database);

    QMenu *menu() const { return m_menu; }

    void showLabellers();
    void newSession();
    void continueSession();
    void openSession(qint64 sessionId);
    void showAgreement();
    void showAudit();

private:
    db::Database *writableDatabase();

    QMainWindow *m_window = nullptr;
    DatabaseFn m_database;
    QMenu *m_menu = nullptr;
};

} // namespace cytodiff::ui
