#include "labellingdialogs.h"

#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "counttext.h"
#include "database.h"
#include "labelaudit.h"
#include "labellinganalysis.h"
#include "sessionplanner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace cytodiff::ui {
namespace {

QString fromStd(const std::string &text) { return QString::fromStdString(text); }

QTableWidgetItem *cellItem(const QString &text, bool editable = false)
{
    auto *item = new QTableWidgetItem(text);
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (editable)
        flags |= Qt::ItemIsEditable;
    item->setFlags(flags);
    return item;
}

// Fits a 1,440 px screen with room to spare (a laptop's 1,280 too).
constexpr int kAuditWidth = 900;

// Columns as wide as their header and contents, the given one taking the
// rest; the header text is also a tooltip, for when the window is too
// narrow all the same.
void fitHeaders(QTableWidget *table, int stretchColumn)
{
    QHeaderView *header = table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    for (int column = 0; column < table->columnCount(); ++column)
        if (auto *item = table->horizontalHeaderItem(column))
            item->setToolTip(item->text());
}

} // namespace

// ---------------------------------------------------------------- labellers

LabellersDialog::LabellersDialog(db::Database *database, QWidget *parent) : QDialog(parent), m_database(database)
{
    setObjectName(QStringLiteral("labellersDialog"));
    setWindowTitle(tr("Labellers"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Experts who label cells. Years of experience in blood microscopy decide ties "
                                "in the consensus label (the most experienced wins). Double-click to edit."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_table = new QTableWidget(0, 2);
    m_table->setObjectName(QStringLiteral("labellersTable"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Years of experience")});
    fitHeaders(m_table, 0);
    layout->addWidget(m_table);
    auto *add = new QHBoxLayout;
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("labellerName"));
    m_name->setPlaceholderText(tr("Name"));
    m_years = new QSpinBox;
    m_years->setObjectName(QStringLiteral("labellerYears"));
    m_years->setRange(0, 70);
    m_years->setSuffix(tr(" years"));
    auto *addButton = new QPushButton(tr("Add"));
    add->addWidget(m_name, 1);
    add->addWidget(m_years);
    add->addWidget(addButton);
    layout->addLayout(add);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(addButton, &QPushButton::clicked, this, &LabellersDialog::addFromFields);
    connect(m_table, &QTableWidget::cellChanged, this, [this](int row, int) { saveRow(row); });
    resize(520, 380);
    reload();
}

void LabellersDialog::reload()
{
    m_loading = true;
    m_table->setRowCount(0);
    auto labellers = m_database ? m_database->listLabellers()
                                : Result<QList<db::LabellerRow>>(makeError(tr("No workspace is open.").toStdString()));
    if (!labellers) {
        m_message->setText(tr("Cannot read the labellers: %1").arg(fromStd(labellers.error())));
        m_loading = false;
        return;
    }
    for (const auto &labeller : *labellers) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        auto *name = cellItem(labeller.name, true);
        name->setData(Qt::UserRole, labeller.id);
        m_table->setItem(row, 0, name);
        m_table->setItem(row, 1, cellItem(QString::number(labeller.yearsExperience), true));
    }
    m_loading = false;
}

bool LabellersDialog::addLabeller(const QString &name, int years)
{
    if (!m_database)
        return false;
    if (auto writable = m_database->ensureWritable(); !writable) {
        m_message->setText(fromStd(writable.error()));
        return false;
    }
    auto added = m_database->addLabeller(name.trimmed(), years);
    if (!added) {
        m_message->setText(tr("Cannot add the labeller: %1").arg(fromStd(added.error())));
        return false;
    }
    m_message->clear();
    reload();
    return true;
}

void LabellersDialog::addFromFields()
{
    if (addLabeller(m_name->text(), m_years->value()))
        m_name->clear();
}

void LabellersDialog::saveRow(int row)
{
    if (m_loading || !m_database)
        return;
    const qint64 id = m_table->item(row, 0)->data(Qt::UserRole).toLongLong();
    bool ok = false;
    const int years = m_table->item(row, 1) ? m_table->item(row, 1)->text().toInt(&ok) : 0;
    if (!ok || years < 0) {
        m_message->setText(tr("Years of experience must be a whole number of 0 or more."));
        reload();
        return;
    }
    if (auto saved = m_database->updateLabeller(id, m_table->item(row, 0)->text(), years); !saved) {
        m_message->setText(tr("Not saved: %1").arg(fromStd(saved.error())));
        reload();
        return;
    }
    m_message->clear();
}

// ---------------------------------------------------------------- new session

NewSessionDialog::NewSessionDialog(db::Database *database, QWidget *parent) : QDialog(parent), m_database(database)
{
    setObjectName(QStringLiteral("newSessionDialog"));
    setWindowTitle(tr("New labelling session"));
    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_labeller = new QComboBox;
    m_labeller->setObjectName(QStringLiteral("sessionLabeller"));
    form->addRow(tr("Labeller:"), m_labeller);
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("sessionName"));
    m_name->setPlaceholderText(tr("e.g. Batch 1"));
    form->addRow(tr("Session name:"), m_name);
    m_cases = new QListWidget;
    m_cases->setObjectName(QStringLiteral("sessionCases"));
    m_cases->setMaximumHeight(140);
    form->addRow(tr("Cells from cases:"), m_cases);
    m_available = new QLabel;
    m_available->setObjectName(QStringLiteral("sessionAvailable"));
    m_available->setWordWrap(true);
    form->addRow(QString(), m_available);
    m_size = new QSpinBox;
    m_size->setObjectName(QStringLiteral("sessionSize"));
    m_size->setRange(1, 100000);
    m_size->setValue(labelling::kDefaultSessionSize);
    form->addRow(tr("Cells in the session:"), m_size);
    m_common = new QSpinBox;
    m_common->setObjectName(QStringLiteral("sessionCommon"));
    m_common->setRange(0, 100000);
    m_common->setValue(labelling::kDefaultCommonSize);
    form->addRow(tr("Common subset (shared by all labellers):"), m_common);
    m_commonNote = new QLabel;
    m_commonNote->setWordWrap(true);
    form->addRow(QString(), m_commonNote);
    auto *classes = new QWidget;
    classes->setObjectName(QStringLiteral("sessionClasses"));
    classes->setToolTip(tr("The classes the labeller chooses from. All labellers should have the same classes: "
                           "agreement is computed over them."));
    m_classGrid = new QGridLayout(classes);
    m_classGrid->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Classes:"), classes);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *blinding = new QLabel(tr("Cells are shown one at a time, in random order, without the model's prediction "
                                   "or anyone else's answer."));
    blinding->setWordWrap(true);
    layout->addWidget(blinding);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    layout->addWidget(m_message);
    layout->addStretch(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Create and start"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // A size the user typed is kept when the cases change; ours follow them.
    connect(m_size, &QSpinBox::valueChanged, this, [this] {
        if (m_applyingDefaults)
            return; // updateAvailable() is running
        m_sizeEdited = true;
        updateAvailable();
    });
    connect(m_common, &QSpinBox::valueChanged, this, [this] {
        if (!m_applyingDefaults)
            m_commonEdited = true;
    });
    connect(m_cases, &QListWidget::itemChanged, this, &NewSessionDialog::updateAvailable);
    reload();
}

void NewSessionDialog::reload()
{
    if (!m_database)
        return;
    m_labeller->clear();
    if (auto labellers = m_database->listLabellers())
        for (const auto &labeller : *labellers)
            m_labeller->addItem(tr("%1 (%2 years)").arg(labeller.name).arg(labeller.yearsExperience), labeller.id);
    {
        const QSignalBlocker blocker(m_cases);
        m_cases->clear();
        if (auto cases = m_database->listCases()) {
            for (const auto &row : *cases) {
                auto *item = new QListWidgetItem(tr("%1 (%2)").arg(row.name, CountText::cells(row.cellCount)), m_cases);
                item->setData(Qt::UserRole, row.id);
                item->setData(Qt::UserRole + 1, row.cellCount);
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
                item->setCheckState(cases->size() == 1 ? Qt::Checked : Qt::Unchecked);
            }
        }
    }
    auto common = m_database->commonCells();
    if (common && !common->isEmpty()) {
        m_existingCommon = int(common->size());
        m_common->setEnabled(false);
        m_commonNote->setText(tr("A common subset of %1 cells exists: every new session includes it.")
                                  .arg(common->size()));
    } else {
        m_commonNote->setText(tr("The first session fixes the common subset; later sessions reuse it."));
    }

    // Every class a labeller may need is offered, in the order of the keys
    // of the review (CellClassKeys), then the workspace's other classes.
    // Checked: the paper's ten, every class the workspace already uses and
    // every class of earlier sessions, so all labellers choose among the
    // same classes and a class already in the workspace is never missing.
    QStringList checked = labelling::defaultClasses();
    QStringList extra;
    QStringList known;
    if (auto used = db::workspaceClasses(*m_database))
        known += *used;
    else
        m_message->setText(tr("The classes the workspace uses cannot be read: %1").arg(fromStd(used.error())));
    if (auto earlier = labelling::classesOfSessions(*m_database))
        known += *earlier;
    else
        m_message->setText(tr("The classes of earlier sessions cannot be read: %1").arg(fromStd(earlier.error())));
    for (const QString &classId : std::as_const(known)) {
        if (!checked.contains(classId))
            checked.append(classId);
        if (CellClassKeys::keyText(classId).isEmpty() && !extra.contains(classId))
            extra.append(classId);
    }
    qDeleteAll(m_classBoxes);
    m_classBoxes.clear();
    for (const ClassKey &key : CellClassKeys::all())
        addClassBox(key.classId, checked.contains(key.classId));
    for (const QString &classId : labelling::defaultClasses())
        if (CellClassKeys::keyText(classId).isEmpty() && !extra.contains(classId))
            addClassBox(classId, true);
    std::sort(extra.begin(), extra.end());
    for (const QString &classId : std::as_const(extra))
        addClassBox(classId, true);
    updateAvailable();
}

void NewSessionDialog::addClassBox(const QString &classId, bool checked)
{
    constexpr int kColumns = 3;
    auto *box = new QCheckBox(CellClassNames::displayName(classId));
    box->setObjectName(QStringLiteral("sessionClass_%1").arg(classId));
    box->setProperty("classId", classId);
    box->setChecked(checked);
    const QString key = CellClassKeys::keyText(classId);
    box->setToolTip(key.isEmpty() ? tr("Class id \u201c%1\u201d").arg(classId)
                                  : tr("Class id \u201c%1\u201d, key %2 in the labelling view").arg(classId, key));
    const int index = int(m_classBoxes.size());
    m_classGrid->addWidget(box, index / kColumns, index % kColumns);
    m_classBoxes.append(box);
}

int NewSessionDialog::availableCells() const
{
    int available = 0;
    for (int i = 0; i < m_cases->count(); ++i)
        if (m_cases->item(i)->checkState() == Qt::Checked)
            available += m_cases->item(i)->data(Qt::UserRole + 1).toInt();
    return available;
}

void NewSessionDialog::updateAvailable()
{
    const int available = availableCells();
    int checkedCases = 0;
    int total = 0;
    for (int i = 0; i < m_cases->count(); ++i) {
        checkedCases += m_cases->item(i)->checkState() == Qt::Checked;
        total += m_cases->item(i)->data(Qt::UserRole + 1).toInt();
    }
    // With no case checked yet, the whole workspace is what there is.
    const labelling::SessionSizes sizes =
        labelling::defaultSessionSizes(checkedCases > 0 ? available : total, m_existingCommon);
    m_applyingDefaults = true;
    if (!m_sizeEdited)
        m_size->setValue(sizes.size);
    if (!m_commonEdited || m_existingCommon > 0)
        m_common->setValue(sizes.commonSize);
    m_applyingDefaults = false;
    if (m_cases->count() == 0)
        m_available->setText(tr("The workspace holds no cells yet: import a case first (File menu)."));
    else if (checkedCases == 0)
        m_available->setText(tr("Check the cases to draw cells from: the workspace holds %1 in %2.")
                                 .arg(CountText::cells(total), CountText::cases(m_cases->count())));
    else if (m_size->value() > available)
        m_available->setText(tr("%1 available in the checked cases: the session will hold all of them.")
                                 .arg(CountText::cells(available)));
    else
        m_available->setText(tr("%1 available in the checked cases.").arg(CountText::cells(available)));
}

void NewSessionDialog::setLabeller(qint64 labellerId)
{
    const int index = m_labeller->findData(labellerId);
    if (index >= 0)
        m_labeller->setCurrentIndex(index);
}

void NewSessionDialog::setCases(const QList<qint64> &caseIds)
{
    for (int i = 0; i < m_cases->count(); ++i) {
        auto *item = m_cases->item(i);
        item->setCheckState(caseIds.contains(item->data(Qt::UserRole).toLongLong()) ? Qt::Checked : Qt::Unchecked);
    }
}

void NewSessionDialog::setSize(int size) { m_size->setValue(size); }
void NewSessionDialog::setCommonSize(int size) { m_common->setValue(size); }

void NewSessionDialog::setClasses(const QStringList &classes)
{
    for (const QString &classId : classes) {
        const bool offered = std::any_of(m_classBoxes.cbegin(), m_classBoxes.cend(), [&classId](const QCheckBox *box) {
            return box->property("classId").toString() == classId;
        });
        if (!offered)
            addClassBox(classId, true);
    }
    for (QCheckBox *box : std::as_const(m_classBoxes))
        box->setChecked(classes.contains(box->property("classId").toString()));
}

QStringList NewSessionDialog::classes() const
{
    QStringList checked;
    for (const QCheckBox *box : m_classBoxes)
        if (box->isChecked())
            checked.append(box->property("classId").toString());
    return checked;
}

void NewSessionDialog::setSessionName(const QString &name) { m_name->setText(name); }

qint64 NewSessionDialog::createSession(quint64 seed)
{
    m_error.clear();
    if (!m_database) {
        m_error = tr("No workspace is open.");
        return 0;
    }
    if (m_labeller->currentIndex() < 0) {
        m_error = tr("Add a labeller first (Labelling > Labellers).");
        return 0;
    }
    labelling::SessionPlanRequest request;
    for (int i = 0; i < m_cases->count(); ++i)
        if (m_cases->item(i)->checkState() == Qt::Checked)
            request.caseIds.append(m_cases->item(i)->data(Qt::UserRole).toLongLong());
    request.size = m_size->value();
    request.commonSize = m_common->isEnabled() ? m_common->value() : 0;
    request.seed = seed;
    const QStringList classes = this->classes();
    if (classes.size() < 2) {
        m_error = tr("Check at least two classes.");
        return 0;
    }
    auto plan = labelling::planSession(*m_database, request);
    if (!plan) {
        m_error = fromStd(plan.error());
        return 0;
    }
    db::NewLabellingSession session;
    session.labellerId = m_labeller->currentData().toLongLong();
    session.name = m_name->text().trimmed().isEmpty()
                       ? tr("Session %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                       : m_name->text().trimmed();
    session.classes = classes;
    session.cellIds = plan->cells;
    session.commonCells = plan->common;
    auto id = m_database->createLabellingSession(session);
    if (!id) {
        m_error = fromStd(id.error());
        return 0;
    }
    m_created = *id;
    return *id;
}

void NewSessionDialog::accept()
{
    if (createSession(quint64(QDateTime::currentMSecsSinceEpoch())) == 0) {
        m_message->setText(m_error);
        return;
    }
    QDialog::accept();
}

// ---------------------------------------------------------------- session list

SessionListDialog::SessionListDialog(db::Database *database, QWidget *parent) : QDialog(parent), m_database(database)
{
    setObjectName(QStringLiteral("sessionListDialog"));
    setWindowTitle(tr("Continue a labelling session"));
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 5);
    m_table->setHorizontalHeaderLabels({tr("Session"), tr("Labeller"), tr("Kind"), tr("Progress"), tr("Created")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    fitHeaders(m_table, 0);
    layout->addWidget(m_table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, &QDialog::accept);
    resize(720, 360);
    if (!m_database)
        return;
    auto sessions = m_database->listLabellingSessions();
    if (!sessions)
        return;
    int firstOpen = -1;
    for (const auto &session : *sessions) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        auto *name = cellItem(session.name);
        name->setData(Qt::UserRole, session.id);
        m_table->setItem(row, 0, name);
        m_table->setItem(row, 1, cellItem(session.labellerName));
        m_table->setItem(row, 2, cellItem(session.kind == db::SessionKind::Audit ? tr("audit") : tr("labelling")));
        m_table->setItem(row, 3, cellItem(session.isComplete() ? tr("complete (%1)").arg(session.total)
                                                               : tr("%1 of %2").arg(session.position).arg(session.total)));
        m_table->setItem(row, 4, cellItem(QLocale().toString(session.createdAt.toLocalTime(), QLocale::ShortFormat)));
        if (firstOpen < 0 && !session.isComplete())
            firstOpen = row;
    }
    if (m_table->rowCount() > 0)
        m_table->selectRow(firstOpen >= 0 ? firstOpen : 0);
}

qint64 SessionListDialog::selectedSessionId() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    return m_table->item(rows.first().row(), 0)->data(Qt::UserRole).toLongLong();
}

// ---------------------------------------------------------------- audit

AuditDialog::AuditDialog(db::Database *database, QWidget *parent) : QDialog(parent), m_database(database)
{
    setObjectName(QStringLiteral("auditDialog"));
    setWindowTitle(tr("Label audit"));
    auto *layout = new QVBoxLayout(this);
    // One long sentence: unwrapped it made the window 2,320 px wide, its
    // buttons off a 1,440 px screen.
    auto *intro = new QLabel(tr(
        "Cells whose consensus label disagrees with a cross-validated prediction (a model that never trained on "
        "them; run <tt>cytodiff-cli crossval-predict</tt>) are reviewed by two labellers who have not seen them. "
        "Each reviewer finds an audit session under Labelling > Continue session. When both have answered, the "
        "consensus is recomputed over all answers and the outcome is logged."));
    intro->setObjectName(QStringLiteral("auditIntro"));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_table = new QTableWidget(0, 6);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("Cell"), tr("Consensus before"), tr("Cross-validated prediction"), tr("Reviewers"), tr("Status"), tr("Consensus after")});
    fitHeaders(m_table, 3);
    layout->addWidget(m_table);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *queueButton = buttons->addButton(tr("Queue disagreements"), QDialogButtonBox::ActionRole);
    auto *resolveButton = buttons->addButton(tr("Close finished reviews"), QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(queueButton, &QPushButton::clicked, this, &AuditDialog::queue);
    connect(resolveButton, &QPushButton::clicked, this, &AuditDialog::resolve);
    resize(kAuditWidth, 460);
    reload();
}

void AuditDialog::reload()
{
    m_table->setRowCount(0);
    if (!m_database)
        return;
    auto items = m_database->auditItems();
    auto labellers = m_database->listLabellers();
    if (!items || !labellers) {
        m_message->setText(tr("Cannot read the audit."));
        return;
    }
    QMap<qint64, QString> names;
    for (const auto &labeller : *labellers)
        names.insert(labeller.id, labeller.name);
    for (const auto &item : *items) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        QStringList reviewers;
        for (qint64 id : item.reviewerIds)
            reviewers.append(names.value(id));
        m_table->setItem(row, 0, cellItem(QString::number(item.cellId)));
        m_table->setItem(row, 1, cellItem(CellClassNames::displayName(item.consensusBefore)));
        m_table->setItem(row, 2, cellItem(CellClassNames::displayName(item.predictedClass)));
        m_table->setItem(row, 3, cellItem(reviewers.join(QStringLiteral(", "))));
        m_table->setItem(row, 4, cellItem(item.status == QLatin1String("open") ? tr("waiting for reviews") : tr("resolved")));
        m_table->setItem(row, 5, cellItem(item.consensusAfter.isEmpty() ? QString()
                                                                        : CellClassNames::displayName(item.consensusAfter)));
    }
}

void AuditDialog::queue()
{
    auto classes = labelling::classesOfSessions(*m_database);
    if (!classes) {
        m_message->setText(fromStd(classes.error()));
        return;
    }
    auto outcome = labelling::queueDisagreements(*m_database, *classes);
    if (!outcome) {
        m_message->setText(fromStd(outcome.error()));
        return;
    }
    m_message->setText(tr("%1 cells compared, %2 agree; %3 queued for review (%4 audit sessions); %5 were audited "
                          "before; %6 lack two labellers who have not seen them.")
                           .arg(outcome->compared)
                           .arg(outcome->agreeing)
                           .arg(outcome->queued)
                           .arg(outcome->sessionIds.size())
                           .arg(outcome->alreadyAudited)
                           .arg(outcome->lackingReviewers));
    reload();
}

void AuditDialog::resolve()
{
    auto outcome = labelling::resolveAudits(*m_database, QStringLiteral("label audit"));
    if (!outcome) {
        m_message->setText(fromStd(outcome.error()));
        return;
    }
    m_message->setText(tr("%1 reviews closed, %2 changed the consensus label; %3 still wait for a reviewer.")
                           .arg(outcome->resolved)
                           .arg(outcome->changed)
                           .arg(outcome->waiting));
    reload();
}

} // namespace cytodiff::ui
