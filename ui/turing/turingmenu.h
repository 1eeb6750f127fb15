#pragma once
// The "Turing test" menu of the main window: build a test, take one as a
// reader, see the results. Kept out of MainWindow, which only creates it;
// everything here uses the window's workspace connection and the model of
// the settings.

#include <QObject>
#include <QPointer>

#include <functional>

class QMainWindow;
class QMenu;
class QWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class TuringBuildDialog;
class TuringReaderView;
class TuringResultsView;

class TuringMenu : public QObject {
    Q_OBJECT
public:
    using DatabaseFn = std::function<db::Database *()>;
    // Adds the menu to the window's menu bar; database() is the window's
    // workspace connection (null when none is open).
    TuringMenu(QMainWindow *window, DatabaseFn database);

    QMenu *menu() const { return m_menu; }
    // Windows opened from the menu (null when closed), for tests.
    TuringReaderView *readerView() const;
    TuringResultsView *resultsView() const;

    // Opens the reader window for a test and a reader name (created on
    // first use, resumed afterwards). Returns an empty string or the reason.
    QString openReader(qint64 testId, const QString &readerName);
    QString openResults(qint64 testId);

public slots:
    void newTest();
    void takeTest();
    void showResults();
    // The views use the window's connection, which another workspace
    // replaces: the window calls this when it opens one.
    void closeViews();

private:
    // Asks for a test (and a reader name when askReader); 0 when cancelled.
    qint64 chooseTest(bool askReader, QString *readerName);
    bool ensureWorkspace();

    QMainWindow *m_window;
    DatabaseFn m_database;
    QMenu *m_menu = nullptr;
    QPointer<TuringReaderView> m_reader;
    QPointer<TuringResultsView> m_results;
};

} // namespace cytodiff::ui
