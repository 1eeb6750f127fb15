#include "turingmenu.h"

#include "appsettings.h"
#include "database.h"
#include "turingbuilddialog.h"
#include "turingreaderview.h"
#include "turingresultsview.h"
#include "turingstore.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>

#include <algorithm>
#include <memory>
#include <utility>

namespace cytodiff::ui {

TuringMenu::TuringMenu(QMainWindow *window, DatabaseFn database)
    : QObject(window), m_window(window), m_database(std::move(database))
{
    setObjectName(QStringLiteral("turingMenu"));
    m_menu = window->menuBar()->addMenu(tr("&Turing test"));
    m_menu->setObjectName(QStringLiteral("turingTestMenu"));
    QAction *build = m_menu->addAction(tr("&New Turing test…"), this, &TuringMenu::newTest);
    build->setStatusTip(tr("Draw real cells from a case and generate as many synthetic ones with the model"));
    QAction *take = m_menu->addAction(tr("&Take a Turing test…"), this, &TuringMenu::takeTest);
    take->setStatusTip(tr("Read the images of a test one at a time, blinded: real or synthetic, and the cell type"));
    QAction *results = m_menu->addAction(tr("&Results…"), this, &TuringMenu::showResults);
    results->setStatusTip(tr("Accuracy, sensitivity and specificity per reader and pooled"));
}

void TuringMenu::closeViews()
{
    if (m_reader)
        m_reader->close();
    if (m_results)
        m_results->close();
}

TuringReaderView *TuringMenu::readerView() const
{
    return m_reader.data();
}

TuringResultsView *TuringMenu::resultsView() const
{
    return m_results.data();
}

bool TuringMenu::ensureWorkspace()
{
    if (m_database())
        return true;
    QMessageBox::information(m_window, tr("Turing test"), tr("Open or create a workspace first."));
    return false;
}

void TuringMenu::newTest()
{
    if (!ensureWorkspace())
        return;
    if (m_database()->isReadOnly()) {
        QMessageBox::information(m_window, tr("New Turing test"), m_database()->readOnlyReason());
        return;
    }
    auto *dialog = new TuringBuildDialog(*m_database(), AppSettings::effectiveModelPath(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

qint64 TuringMenu::chooseTest(bool askReader, QString *readerName)
{
    auto tests = db::TuringStore(*m_database()).listTests();
    if (!tests) {
        QMessageBox::warning(m_window, tr("Turing test"), QString::fromStdString(tests.error()));
        return 0;
    }
    if (tests->isEmpty()) {
        QMessageBox::information(m_window, tr("Turing test"),
                                 tr("This workspace has no Turing test yet. Build one with Turing test > New "
                                    "Turing test."));
        return 0;
    }
    QDialog dialog(m_window);
    dialog.setWindowTitle(askReader ? tr("Take a Turing test") : tr("Turing test results"));
    auto *combo = new QComboBox;
    for (const db::TuringTestRow &test : *tests)
        combo->addItem(tr("%1 (%2 images)").arg(test.name).arg(test.imageCount), test.id);
    // Known readers to choose from (resuming), or a new name typed in.
    auto *name = new QComboBox;
    name->setEditable(true);
    name->setInsertPolicy(QComboBox::NoInsert);
    name->setObjectName(QStringLiteral("turingReaderName"));
    name->lineEdit()->setPlaceholderText(tr("Your name, as in earlier sessions to resume"));
    auto *nameNote = new QLabel;
    nameNote->setObjectName(QStringLiteral("turingReaderNote"));
    nameNote->setWordWrap(true);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("Test:"), combo);
    if (askReader) {
        form->addRow(tr("Reader:"), name);
        form->addRow(QString(), nameNote);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (askReader) {
        auto known = std::make_shared<QList<db::TuringReaderRow>>();
        auto update = [buttons, name, nameNote, known] {
            const QString typed = name->currentText().simplified();
            buttons->button(QDialogButtonBox::Ok)->setEnabled(!typed.isEmpty());
            const auto match = std::find_if(known->cbegin(), known->cend(), [&typed](const db::TuringReaderRow &row) {
                return row.name.simplified().compare(typed, Qt::CaseInsensitive) == 0;
            });
            if (typed.isEmpty())
                nameNote->setText(tr("Choose your name to resume, or type a new one. Capitals and spaces do not "
                                     "matter."));
            else if (match != known->cend())
                nameNote->setText(tr("Resumes %1 at image %2 of %3.")
                                      .arg(match->name)
                                      .arg(std::min(match->answered + 1, match->total))
                                      .arg(match->total));
            else
                nameNote->setText(tr("A new reader: starts at image 1."));
        };
        auto loadReaders = [this, combo, name, known, update] {
            const QString typed = name->currentText();
            name->clear();
            known->clear();
            auto readers = db::TuringStore(*m_database()).readers(combo->currentData().toLongLong());
            if (readers) {
                *known = *readers;
                for (const db::TuringReaderRow &row : *readers)
                    name->addItem(tr("%1 (%2 of %3 answered)").arg(row.name).arg(row.answered).arg(row.total),
                                  row.name);
            }
            name->setCurrentIndex(-1);
            name->setEditText(typed);
            update();
        };
        // A chosen entry puts the bare name in the field.
        connect(name, &QComboBox::activated, &dialog, [name, update](int index) {
            name->setEditText(name->itemData(index).toString());
            update();
        });
        connect(name, &QComboBox::editTextChanged, &dialog, update);
        connect(combo, &QComboBox::currentIndexChanged, &dialog, loadReaders);
        loadReaders();
    }
    if (dialog.exec() != QDialog::Accepted)
        return 0;
    if (readerName)
        *readerName = name->currentText().simplified();
    return combo->currentData().toLongLong();
}

QString TuringMenu::openReader(qint64 testId, const QString &readerName)
{
    if (!m_database())
        return tr("Open or create a workspace first.");
    auto reader = db::TuringStore(*m_database())
                      .openReader(testId, readerName, QRandomGenerator::system()->generate64());
    if (!reader)
        return QString::fromStdString(reader.error());
    if (m_reader)
        m_reader->close();
    auto *view = new TuringReaderView(*m_database(), reader->id, m_window);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setWindowTitle(tr("Turing test — %1").arg(reader->name));
    m_reader = view;
    // Blinded: the main window's gallery shows labels and predictions, so
    // it goes away while a reader reads, and the reader's screen is filled.
    m_window->hide();
    connect(view, &QObject::destroyed, m_window, [window = m_window] {
        window->show();
        window->activateWindow();
    });
    view->showFullScreen();
    view->setFocus();
    return view->loadError();
}

QString TuringMenu::openResults(qint64 testId)
{
    if (!m_database())
        return tr("Open or create a workspace first.");
    if (m_results)
        m_results->close();
    auto *view = new TuringResultsView(*m_database(), testId, m_window);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setWindowTitle(tr("Turing test results"));
    view->resize(1100, 420);
    m_results = view;
    view->show();
    return view->loadError();
}

void TuringMenu::takeTest()
{
    if (!ensureWorkspace())
        return;
    QString readerName;
    const qint64 testId = chooseTest(true, &readerName);
    if (testId == 0)
        return;
    if (const QString error = openReader(testId, readerName); !error.isEmpty())
        QMessageBox::warning(m_window, tr("Take a Turing test"), error);
}

void TuringMenu::showResults()
{
    if (!ensureWorkspace())
        return;
    const qint64 testId = chooseTest(false, nullptr);
    if (testId == 0)
        return;
    if (const QString error = openResults(testId); !error.isEmpty())
        QMessageBox::warning(m_window, tr("Turing test results"), error);
}

} // namespace cytodiff::ui
