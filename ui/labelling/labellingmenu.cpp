#include "labellingmenu.h"

#include "agreementreportview.h"
#include "database.h"
#include "labellingdialogs.h"
#include "labellingview.h"

#include <QDialog>
#include <QAction>
#include <QDialogButtonBox>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

LabellingMenu::LabellingMenu(QMainWindow *window, DatabaseFn database)
    : QObject(window), m_window(window), m_database(std::move(database))
{
    m_menu = window->menuBar()->addMenu(tr("&Labelling"));
    m_menu->setObjectName(QStringLiteral("labellingMenu"));
    m_menu->addAction(tr("&Labellers\u2026"), this, &LabellingMenu::showLabellers);
    m_menu->addSeparator();
    m_menu->addAction(tr("&New session\u2026"), this, &LabellingMenu::newSession);
    m_menu->addAction(tr("&Continue session\u2026"), this, &LabellingMenu::continueSession);
    m_menu->addSeparator();
    // Kappas and the per-cell disagreements with the cells (the consensus
    // was only in cytodiff-cli before).
    QAction *agreement = m_menu->addAction(tr("&Agreement and disagreements\u2026"), this,
                                           &LabellingMenu::showAgreement);
    agreement->setObjectName(QStringLiteral("labellingAgreementAction"));
    m_menu->addAction(tr("Label a&udit\u2026"), this, &LabellingMenu::showAudit);
}

db::Database *LabellingMenu::writableDatabase()
{
    db::Database *database = m_database ? m_database() : nullptr;
    if (!database) {
        QMessageBox::information(m_window, tr("Labelling"), tr("Open or create a workspace first (File menu)."));
        return nullptr;
    }
    if (database->isReadOnly()) {
        QMessageBox::warning(m_window, tr("Labelling"), database->readOnlyReason());
        return nullptr;
    }
    return database;
}

void LabellingMenu::showLabellers()
{
    if (auto *database = writableDatabase()) {
        LabellersDialog dialog(database, m_window);
        dialog.exec();
    }
}

void LabellingMenu::newSession()
{
    auto *database = writableDatabase();
    if (!database)
        return;
    NewSessionDialog dialog(database, m_window);
    if (dialog.exec() == QDialog::Accepted && dialog.createdSessionId() > 0)
        openSession(dialog.createdSessionId());
}

void LabellingMenu::continueSession()
{
    auto *database = writableDatabase();
    if (!database)
        return;
    SessionListDialog dialog(database, m_window);
    if (dialog.exec() == QDialog::Accepted && dialog.selectedSessionId() > 0)
        openSession(dialog.selectedSessionId());
}

void LabellingMenu::openSession(qint64 sessionId)
{
    auto *database = writableDatabase();
    if (!database)
        return;
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Labelling"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *view = new LabellingView(database, sessionId);
    layout->addWidget(view);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->button(QDialogButtonBox::Close)->setText(tr("Close (progress is saved)"));
    buttons->button(QDialogButtonBox::Close)->setFocusPolicy(Qt::NoFocus);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.resize(1100, 760);
    view->setFocus();
    dialog.exec();
}

void LabellingMenu::showAgreement()
{
    db::Database *database = m_database ? m_database() : nullptr;
    if (!database) {
        QMessageBox::information(m_window, tr("Labelling"), tr("Open or create a workspace first (File menu)."));
        return;
    }
    QDialog dialog(m_window);
    dialog.setObjectName(QStringLiteral("agreementDialog"));
    dialog.setWindowTitle(tr("Agreement and disagreements"));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new AgreementReportView(database));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    dialog.resize(1000, 760);
    dialog.exec();
}

void LabellingMenu::showAudit()
{
    if (auto *database = writableDatabase()) {
        AuditDialog dialog(database, m_window);
        dialog.exec();
    }
}

} // namespace cytodiff::ui
