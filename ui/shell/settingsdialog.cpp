#include "settingsdialog.h"

#include "appsettings.h"
#include "cellclassnames.h"
#include "engine.h"
#include "filedialogs.h"
#include "translationloader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <optional>

namespace cytodiff::ui {

namespace {
// A percentage as the user typed it: in their locale ("4,5" in German,
// shown that way), or in the C notation. A German "4,5" was dropped
// without a word when only the C notation was read.
std::optional<double> percentIn(const QString &text)
{
    // No group separators: a German "2.5" is then not 25 but the C notation's 2.5.
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() | QLocale::RejectGroupSeparator);
    bool ok = false;
    double value = locale.toDouble(text.trimmed(), &ok);
    if (!ok)
        value = text.trimmed().toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}
} // namespace

SettingsDialog::SettingsDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    m_tabs = new QTabWidget;
    m_tabs->addTab(buildClassificationPage(), tr("Classification"));
    m_tabs->addTab(buildReviewPage(), tr("Review"));
    m_tabs->addTab(buildLisPage(), tr("Laboratory system"));
    m_tabs->addTab(buildLanguagePage(), tr("Language"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    load();
    resize(640, 460);
}

QWidget *SettingsDialog::buildClassificationPage()
{
    m_model = new QLineEdit;
    m_model->setObjectName(QStringLiteral("modelPath"));
    m_model->setPlaceholderText(tr("Default model (cytodiff-v2-pbc8.pt), if installed"));
    m_model->setClearButtonEnabled(true);
    connect(m_model, &QLineEdit::editingFinished, this, &SettingsDialog::describeModel);
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::browseModel);
    auto *modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(browse);
    m_modelInfo = new QLabel;
    m_modelInfo->setObjectName(QStringLiteral("modelInfo"));
    m_modelInfo->setWordWrap(true);
    m_modelInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_protocol = new QComboBox;
    m_protocol->addItem(tr("Fast (stratified trials, early stopping)"), false);
    m_protocol->addItem(tr("Paper (up to 2,000 trials, slow)"), true);
    m_protocol->setToolTip(tr("The paper's protocol is the published one, for comparison. A model's error profile "
                              "(the Unidentified rule) is fitted on calls of the fast protocol: with the paper's, "
                              "Unidentified falls back to the engine's own anomaly score."));
    m_maxTrials = new QSpinBox;
    m_maxTrials->setObjectName(QStringLiteral("maxTrials"));
    m_maxTrials->setRange(0, 2000);
    m_maxTrials->setSpecialValueText(tr("Protocol default"));
    m_maxTrials->setToolTip(tr("Most noise trials per cell. More trials: steadier scores, slower. Easy cells stop "
                               "early either way."));
    m_heatmapTrials = new QSpinBox;
    m_heatmapTrials->setRange(2, 1000);
    m_heatmapTrials->setToolTip(tr("Trials averaged for a counterfactual heatmap"));
    m_afterImport = new QCheckBox(tr("Classify new cases after import"));
    m_secondOpinion = new QCheckBox(tr("Second opinion from the baseline network (%1)")
                                        .arg(AppSettings::secondOpinionModelFile()));
    m_secondOpinion->setObjectName(QStringLiteral("secondOpinion"));
    if (AppSettings::defaultModelPath(AppSettings::secondOpinionModelFile()).isEmpty())
        m_secondOpinion->setToolTip(tr("%1 is not installed, so there is no second opinion.")
                                        .arg(AppSettings::secondOpinionModelFile()));
    else
        m_secondOpinion->setToolTip(tr("It also calls every cell (one fast network pass), and cells where the two "
                                       "calls differ join the review queue. On the PBC test cells the queue then "
                                       "held 39 of the model's 41 errors instead of 34, for 2% more cells."));

    m_modelInfo->setForegroundRole(QPalette::PlaceholderText);
    auto *modelBox = new QVBoxLayout;
    modelBox->setSpacing(4);
    modelBox->addLayout(modelRow);
    modelBox->addWidget(m_modelInfo);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Model file"), modelBox);
    form->addRow(tr("Protocol"), m_protocol);
    form->addRow(tr("Trial budget"), m_maxTrials);
    form->addRow(tr("Heatmap trials"), m_heatmapTrials);
    form->addRow(QString(), m_afterImport);
    form->addRow(QString(), m_secondOpinion);
    auto *page = new QWidget;
    page->setLayout(form);
    return page;
}

QWidget *SettingsDialog::buildReviewPage()
{
    m_reviewer = new QLineEdit;
    m_reviewer->setObjectName(QStringLiteral("reviewerName"));
    m_reviewer->setToolTip(tr("The name signed cases carry, also written to the audit log with every edit. "
                              "Left empty, CytoDiff asks for it at the first sign-off."));
    m_reviewer->setPlaceholderText(AppSettings::suggestedReviewerName().isEmpty()
                                       ? tr("Your name, as signed reports should show it")
                                       : AppSettings::suggestedReviewerName());
    m_margin = new QSpinBox;
    m_margin->setObjectName(QStringLiteral("marginThreshold"));
    m_margin->setRange(0, 100);
    m_margin->setSuffix(QStringLiteral(" %"));
    m_margin->setToolTip(tr("Cells whose score margin over the runner-up is below this go to the review queue. "
                            "100% queues every cell."));
    // Critical calls (issue 21): a laboratory may want every one of them in
    // front of a reviewer whatever the models say; the default lets a call
    // both models make with a very high margin be judged like any other.
    m_criticalAll = new QCheckBox(tr("Queue every critical call (blast, immature granulocyte, erythroblast)"));
    m_criticalAll->setObjectName(QStringLiteral("queueEveryCriticalCall"));
    m_criticalMargin = new QDoubleSpinBox;
    m_criticalMargin->setObjectName(QStringLiteral("criticalAgreedMargin"));
    m_criticalMargin->setRange(50.0, 100.0);
    m_criticalMargin->setDecimals(1);
    m_criticalMargin->setSingleStep(0.5);
    m_criticalMargin->setSuffix(QStringLiteral(" %"));
    m_criticalMargin->setToolTip(tr("A critical call leaves the review queue only when the second-opinion model makes "
                                    "the same call, the analyser's label does not name another class, and the score "
                                    "margin is at least this. It is still listed among the report's flagged cells."));
    connect(m_criticalAll, &QCheckBox::toggled, m_criticalMargin, &QWidget::setDisabled);
    m_anomaly = new QDoubleSpinBox;
    m_anomaly->setObjectName(QStringLiteral("anomalyThreshold"));
    m_anomaly->setRange(-1000.0, 1000.0);
    m_anomaly->setDecimals(4);
    m_anomaly->setSingleStep(0.001);
    m_anomaly->setToolTip(tr("Cells with an anomaly score above this are shown as Unidentified (possible unseen "
                             "cell type). With a model that has an error profile, 0 flags about 1 in 20 normal cells "
                             "and higher values fewer; otherwise 0 means no trained class stands out."));

    m_ranges = new QTableWidget(0, 3);
    m_ranges->setObjectName(QStringLiteral("referenceRanges"));
    m_ranges->setHorizontalHeaderLabels({tr("Class"), tr("Low %"), tr("High %")});
    m_ranges->verticalHeader()->hide();
    m_ranges->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_rangesSource = new QLineEdit;
    m_rangesSource->setObjectName(QStringLiteral("referenceSource"));
    m_rangesSource->setPlaceholderText(tr("Whose ranges these are, e.g. the laboratory's SOP and version"));
    auto *defaults = new QPushButton(tr("Restore defaults"));
    connect(defaults, &QPushButton::clicked, this, [this] { fillRanges(review::ReferenceRanges::defaults()); });

    auto *form = new QFormLayout;
    form->addRow(tr("Reviewer"), m_reviewer);
    form->addRow(tr("Review below confidence"), m_margin);
    form->addRow(tr("Unidentified above anomaly"), m_anomaly);
    form->addRow(QString(), m_criticalAll);
    form->addRow(tr("Agreed critical calls skip the queue from"), m_criticalMargin);
    auto *layout = new QVBoxLayout;
    layout->addLayout(form);
    layout->addSpacing(8);
    layout->addWidget(new QLabel(tr("Reference ranges (% of white cells)")));
    layout->addWidget(m_ranges, 1);
    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(new QLabel(tr("Source")));
    sourceRow->addWidget(m_rangesSource, 1);
    sourceRow->addWidget(defaults);
    layout->addLayout(sourceRow);
    auto *page = new QWidget;
    page->setLayout(layout);
    return page;
}

QWidget *SettingsDialog::buildLisPage()
{
    m_lisEnabled = new QCheckBox(tr("Send signed results to the laboratory information system"));
    m_lisEnabled->setObjectName(QStringLiteral("lisEnabled"));
    m_lisEnabled->setToolTip(tr("On sign-off (and after an amendment, as a corrected result) the differential is written "
                                "as an HL7 v2.5.1 ORU^R01 message into the drop folder. Signing then needs the case's "
                                "accession number. Messages that cannot be written stay queued in the workspace."));
    m_lisFolder = new QLineEdit;
    m_lisFolder->setObjectName(QStringLiteral("lisDropFolder"));
    m_lisFolder->setPlaceholderText(tr("Folder the LIS interface engine reads"));
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder = FileDialogs::existingFolder(this, tr("LIS drop folder"), m_lisFolder->text());
        if (!folder.isEmpty())
            m_lisFolder->setText(QDir::toNativeSeparators(folder));
    });
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_lisFolder, 1);
    folderRow->addWidget(browse);
    m_lisMllp = new QLineEdit;
    m_lisMllp->setObjectName(QStringLiteral("lisMllp"));
    m_lisMllp->setPlaceholderText(tr("host:port — instead of the drop folder"));
    m_lisMllp->setToolTip(tr("Send each message over MLLP (TCP) to the LIS interface and wait for its "
                             "acknowledgement; a message that is not acknowledged stays queued and is retried."));
    m_lisFhir = new QLineEdit;
    m_lisFhir->setObjectName(QStringLiteral("lisFhirFolder"));
    m_lisFhir->setPlaceholderText(tr("Folder for FHIR R4 bundles too (optional)"));
    m_lisFhir->setToolTip(tr("Each result is also written there as a FHIR R4 Bundle: a DiagnosticReport with one "
                             "Observation per line, coded like the HL7 message."));
    m_lisSendingFacility = new QLineEdit;
    m_lisSendingFacility->setObjectName(QStringLiteral("lisSendingFacility"));
    m_lisReceivingApplication = new QLineEdit;
    m_lisReceivingFacility = new QLineEdit;
    m_lisLoinc = new QLineEdit;
    m_lisLoinc->setObjectName(QStringLiteral("lisLoincFile"));
    m_lisLoinc->setPlaceholderText(tr("Shipped map (method-less \"/100 leukocytes in Blood\" codes)"));
    m_lisLoinc->setToolTip(tr("A JSON file mapping class ids to the LOINC codes your LIS expects, e.g. "
                              "{\"neutrophil\": {\"code\": \"26511-2\", \"display\": \"...\"}}"));
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(QString(), m_lisEnabled);
    form->addRow(tr("Drop folder"), folderRow);
    form->addRow(tr("Or MLLP"), m_lisMllp);
    form->addRow(tr("FHIR folder"), m_lisFhir);
    form->addRow(tr("Sending facility (MSH-4)"), m_lisSendingFacility);
    form->addRow(tr("Receiving application (MSH-5)"), m_lisReceivingApplication);
    form->addRow(tr("Receiving facility (MSH-6)"), m_lisReceivingFacility);
    form->addRow(tr("LOINC map"), m_lisLoinc);
    auto *page = new QWidget;
    page->setLayout(form);
    return page;
}

QWidget *SettingsDialog::buildLanguagePage()
{
    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("language"));
    for (const UiLanguage &language : TranslationLoader::choices())
        m_language->addItem(language.nativeName, language.code);
    // Widgets translate their texts when they are built, so switching
    // live would leave half the window in the old language.
    auto *note = new QLabel(tr("The new language is used from the next start of CytoDiff. \"System language\" "
                               "follows the language of the desktop session."));
    note->setObjectName(QStringLiteral("languageNote"));
    note->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Language"), m_language);
    form->addRow(QString(), note);
    auto *page = new QWidget;
    page->setLayout(form);
    return page;
}

void SettingsDialog::fillRanges(const review::ReferenceRanges &ranges)
{
    // Every white-cell class gets a row; an empty row means "no range".
    const QStringList classes = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte"), QStringLiteral("monocyte"),
                                 QStringLiteral("eosinophil"), QStringLiteral("basophil"), QStringLiteral("ig"),
                                 QStringLiteral("blast"), QStringLiteral("variant_lymphocyte")};
    m_ranges->setRowCount(int(classes.size()));
    for (int row = 0; row < classes.size(); ++row) {
        auto *name = new QTableWidgetItem(CellClassNames::displayName(classes.at(row)));
        name->setData(Qt::UserRole, classes.at(row));
        name->setFlags(Qt::ItemIsEnabled);
        m_ranges->setItem(row, 0, name);
        const auto range = ranges.find(classes.at(row));
        m_ranges->setItem(row, 1, new QTableWidgetItem(range ? QLocale().toString(range->lowPercent) : QString()));
        m_ranges->setItem(row, 2, new QTableWidgetItem(range ? QLocale().toString(range->highPercent) : QString()));
    }
    m_rangesSource->setText(ranges.source);
}

void SettingsDialog::load()
{
    m_model->setText(QDir::toNativeSeparators(AppSettings::modelPath()));
    m_protocol->setCurrentIndex(AppSettings::paperProtocol() ? 1 : 0);
    m_maxTrials->setValue(AppSettings::maxTrials());
    m_heatmapTrials->setValue(AppSettings::heatmapTrials());
    m_afterImport->setChecked(AppSettings::classifyAfterImport());
    m_secondOpinion->setChecked(AppSettings::secondOpinion());
    // Only a name someone gave: the login name shown here would be saved
    // as if chosen.
    m_reviewer->setText(AppSettings::storedReviewerName());
    const review::ReviewThresholds thresholds = AppSettings::reviewThresholds();
    m_margin->setValue(qRound(thresholds.marginBelow * 100.0));
    m_anomaly->setValue(thresholds.anomalyAbove);
    const bool everyCritical = thresholds.criticalAgreedMargin > 1.0;
    m_criticalAll->setChecked(everyCritical);
    m_criticalMargin->setDisabled(everyCritical);
    m_criticalMargin->setValue(
        (everyCritical ? review::ReviewThresholds{}.criticalAgreedMargin : thresholds.criticalAgreedMargin) * 100.0);
    fillRanges(AppSettings::referenceRanges());
    m_lisEnabled->setChecked(AppSettings::lisOutputEnabled());
    m_lisFolder->setText(QDir::toNativeSeparators(AppSettings::lisDropFolder()));
    m_lisLoinc->setText(QDir::toNativeSeparators(AppSettings::lisLoincFile()));
    m_lisMllp->setText(AppSettings::lisMllpEndpoint());
    m_lisFhir->setText(QDir::toNativeSeparators(AppSettings::lisFhirFolder()));
    const QStringList names = AppSettings::lisNames();
    m_lisSendingFacility->setText(names.value(0));
    m_lisReceivingApplication->setText(names.value(1));
    m_lisReceivingFacility->setText(names.value(2));
    // An unknown stored code shows as System, which is what it acts as.
    m_language->setCurrentIndex(qMax(0, m_language->findData(AppSettings::language())));
    describeModel();
}

void SettingsDialog::save()
{
    AppSettings::setModelPath(QDir::fromNativeSeparators(m_model->text().trimmed()));
    AppSettings::setPaperProtocol(m_protocol->currentData().toBool());
    AppSettings::setMaxTrials(m_maxTrials->value());
    AppSettings::setHeatmapTrials(m_heatmapTrials->value());
    AppSettings::setClassifyAfterImport(m_afterImport->isChecked());
    AppSettings::setSecondOpinion(m_secondOpinion->isChecked());
    AppSettings::setReviewerName(m_reviewer->text());
    review::ReviewThresholds thresholds;
    thresholds.marginBelow = m_margin->value() / 100.0;
    thresholds.anomalyAbove = m_anomaly->value();
    thresholds.criticalAgreedMargin = m_criticalAll->isChecked() ? review::kEveryCriticalCall
                                                                 : std::round(m_criticalMargin->value() * 10.0) / 1000.0;
    AppSettings::setReviewThresholds(thresholds);
    review::ReferenceRanges ranges;
    for (int row = 0; row < m_ranges->rowCount(); ++row) {
        const auto low = percentIn(m_ranges->item(row, 1)->text());
        const auto high = percentIn(m_ranges->item(row, 2)->text());
        if (low && high && *low <= *high)
            ranges.ranges.append({m_ranges->item(row, 0)->data(Qt::UserRole).toString(), *low, *high});
    }
    ranges.source = m_rangesSource->text().trimmed();
    AppSettings::setReferenceRanges(ranges);
    AppSettings::setLanguage(m_language->currentData().toString());
    AppSettings::setLisOutputEnabled(m_lisEnabled->isChecked());
    AppSettings::setLisDropFolder(QDir::fromNativeSeparators(m_lisFolder->text().trimmed()));
    AppSettings::setLisLoincFile(QDir::fromNativeSeparators(m_lisLoinc->text().trimmed()));
    AppSettings::setLisMllpEndpoint(m_lisMllp->text().trimmed());
    AppSettings::setLisFhirFolder(QDir::fromNativeSeparators(m_lisFhir->text().trimmed()));
    AppSettings::setLisNames(m_lisSendingFacility->text(), m_lisReceivingApplication->text(),
                             m_lisReceivingFacility->text());
}

SettingsDialog::RangeProblem SettingsDialog::rangeProblem() const
{
    for (int row = 0; row < m_ranges->rowCount(); ++row) {
        const QString lowText = m_ranges->item(row, 1)->text().trimmed();
        const QString highText = m_ranges->item(row, 2)->text().trimmed();
        if (lowText.isEmpty() && highText.isEmpty())
            continue; // no range for this class
        const auto low = percentIn(lowText);
        const auto high = percentIn(highText);
        QString why;
        if (lowText.isEmpty() || highText.isEmpty())
            why = tr("give both limits, or neither");
        else if (!low || !high)
            why = tr("\"%1\" is not a number").arg(!low ? lowText : highText);
        else if (*low < 0 || *high > 100)
            why = tr("the limits are percentages between 0 and 100");
        else if (*low > *high)
            why = tr("the low limit is above the high one");
        if (!why.isEmpty())
            return {row, tr("The reference range of %1 cannot be used: %2.").arg(m_ranges->item(row, 0)->text(), why)};
    }
    return {};
}

void SettingsDialog::accept()
{
    if (const RangeProblem problem = rangeProblem(); problem.row >= 0) {
        m_tabs->setCurrentIndex(1); // Review
        m_ranges->setCurrentCell(problem.row, 1);
        QMessageBox::warning(this, tr("Settings"), problem.message);
        return;
    }
    save();
    QDialog::accept();
}

void SettingsDialog::focusModel()
{
    m_tabs->setCurrentIndex(0); // Classification
    m_model->setFocus();
}

void SettingsDialog::browseModel()
{
    const QString start = m_model->text().isEmpty() ? QDir::homePath() : QFileInfo(m_model->text()).absolutePath();
    const QString path = FileDialogs::openFile(this, tr("Choose a CytoDiff model"), start,
                                               tr("CytoDiff models (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    m_model->setText(QDir::toNativeSeparators(path));
    describeModel();
}

void SettingsDialog::describeModel()
{
    QString path = QDir::fromNativeSeparators(m_model->text().trimmed());
    if (path.isEmpty()) {
        path = AppSettings::effectiveModelPath();
        if (path.isEmpty()) {
            m_modelInfo->setText(tr("No default model is installed. Choose a model file to classify cells."));
            return;
        }
    }
    // Loading reads the whole file; models are small (tens of MB) and this
    // runs only when the path changes, so it stays on the GUI thread.
    auto model = engine::Model::load(path.toStdString());
    if (!model) {
        m_modelInfo->setText(tr("Cannot use this model: %1").arg(QString::fromStdString(model.error())));
        return;
    }
    const engine::ModelCard &card = model->card();
    QStringList classes;
    for (const std::string &name : card.classNames)
        classes << CellClassNames::displayName(QString::fromStdString(name));
    m_modelInfo->setText(tr("%1: %2 classes (%3), %4 px network input, trained %5")
                             .arg(QString::fromStdString(card.modelId()))
                             .arg(card.classNames.size())
                             .arg(classes.join(QStringLiteral(", ")))
                             .arg(card.network.resolution)
                             .arg(card.createdAt.empty() ? tr("(date unknown)") : QString::fromStdString(card.createdAt)));
}

} // namespace cytodiff::ui
