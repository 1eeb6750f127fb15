#include "morphologypanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHash>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {
constexpr int kGradeColumns = 2;
}

// The ICSH names in the user's language (core keeps the English ones for
// the LIS and the stored record).
QString MorphologyPanel::featureName(const QString &id)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("anisocytosis"), tr("Anisocytosis")},
        {QStringLiteral("poikilocytosis"), tr("Poikilocytosis")},
        {QStringLiteral("microcytes"), tr("Microcytes")},
        {QStringLiteral("macrocytes"), tr("Macrocytes")},
        {QStringLiteral("hypochromia"), tr("Hypochromia")},
        {QStringLiteral("polychromasia"), tr("Polychromasia")},
        {QStringLiteral("target_cells"), tr("Target cells")},
        {QStringLiteral("spherocytes"), tr("Spherocytes")},
        {QStringLiteral("elliptocytes"), tr("Elliptocytes/ovalocytes")},
        {QStringLiteral("stomatocytes"), tr("Stomatocytes")},
        {QStringLiteral("tear_drop_cells"), tr("Tear-drop cells")},
        {QStringLiteral("acanthocytes"), tr("Acanthocytes")},
        {QStringLiteral("echinocytes"), tr("Echinocytes")},
        {QStringLiteral("sickle_cells"), tr("Sickle cells")},
        {QStringLiteral("howell_jolly_bodies"), tr("Howell-Jolly bodies")},
        {QStringLiteral("pappenheimer_bodies"), tr("Pappenheimer bodies")},
        {QStringLiteral("basophilic_stippling"), tr("Basophilic stippling")},
        {QStringLiteral("rouleaux"), tr("Rouleaux")},
        {QStringLiteral("agglutination"), tr("Agglutination")},
        {QStringLiteral("parasites"), tr("Parasites")},
    };
    return names.value(id, id);
}

MorphologyPanel::MorphologyPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("morphologyPanel"));
    m_allNormal = new QCheckBox(tr("Report all as normal"));
    m_allNormal->setObjectName(QStringLiteral("allNormal"));

    auto *grid = new QGridLayout;
    const QList<review::MorphologyFeature> &features = review::morphologyFeatures();
    for (int i = 0; i < features.size(); ++i) {
        auto *combo = new QComboBox;
        combo->setObjectName(QStringLiteral("grade_") + QLatin1String(features[i].id));
        combo->addItems({tr("none"), QStringLiteral("1+"), QStringLiteral("2+"), QStringLiteral("3+")});
        m_grades << combo;
        const int row = i / kGradeColumns;
        const int column = (i % kGradeColumns) * 2;
        grid->addWidget(new QLabel(featureName(QLatin1String(features[i].id))), row, column);
        grid->addWidget(combo, row, column + 1);
        connect(combo, &QComboBox::currentIndexChanged, this, &MorphologyPanel::updateState);
    }
    m_schistocytesCounted = new QCheckBox(tr("Schistocytes counted"));
    m_schistocytesCounted->setObjectName(QStringLiteral("schistocytesCounted"));
    m_schistocytes = new QDoubleSpinBox;
    m_schistocytes->setObjectName(QStringLiteral("schistocytes"));
    m_schistocytes->setRange(0.0, 100.0);
    m_schistocytes->setDecimals(1);
    m_schistocytes->setSingleStep(0.1);
    m_schistocytes->setSuffix(tr(" % of red cells"));
    m_schistocyteNote = new QLabel(tr("Above 1% of red cells: report (ICSH 2015)."));
    m_schistocyteNote->setStyleSheet(QStringLiteral("QLabel { color: #8e1b10; }"));
    auto *schistocyteRow = new QHBoxLayout;
    schistocyteRow->addWidget(m_schistocytesCounted);
    schistocyteRow->addWidget(m_schistocytes);
    schistocyteRow->addWidget(m_schistocyteNote, 1);

    auto *redCells = new QGroupBox(tr("Red cells (ICSH 2015 grading)"));
    auto *redLayout = new QVBoxLayout(redCells);
    redLayout->addWidget(m_allNormal);
    redLayout->addLayout(grid);
    redLayout->addLayout(schistocyteRow);

    m_platelets = new QComboBox;
    m_platelets->setObjectName(QStringLiteral("plateletEstimate"));
    m_platelets->addItem(tr("not assessed"), int(review::PlateletEstimate::NotAssessed));
    m_platelets->addItem(tr("decreased"), int(review::PlateletEstimate::Decreased));
    m_platelets->addItem(tr("adequate"), int(review::PlateletEstimate::Adequate));
    m_platelets->addItem(tr("increased"), int(review::PlateletEstimate::Increased));
    m_clumps = new QCheckBox(tr("Platelet clumps seen"));
    m_clumps->setObjectName(QStringLiteral("plateletClumps"));
    m_wbcKnown = new QCheckBox(tr("Analyser WBC count"));
    m_wbcKnown->setObjectName(QStringLiteral("wbcKnown"));
    m_wbcKnown->setToolTip(tr("Copied from the analyser: the LIS result then carries absolute counts per class."));
    m_wbc = new QDoubleSpinBox;
    m_wbc->setObjectName(QStringLiteral("wbcCount"));
    m_wbc->setRange(0.01, 999.99);
    m_wbc->setDecimals(2);
    m_wbc->setSuffix(tr(" × 10⁹/L"));
    auto *wbcRow = new QHBoxLayout;
    wbcRow->addWidget(m_wbcKnown);
    wbcRow->addWidget(m_wbc);
    wbcRow->addStretch(1);
    auto *platelets = new QGroupBox(tr("Platelets"));
    auto *plateletForm = new QFormLayout(platelets);
    plateletForm->addRow(tr("Estimate"), m_platelets);
    plateletForm->addRow(QString(), m_clumps);
    plateletForm->addRow(QString(), wbcRow);

    m_comment = new QPlainTextEdit;
    m_comment->setObjectName(QStringLiteral("morphologyComment"));
    m_comment->setPlaceholderText(tr("Comment on the blood film"));
    m_comment->setMaximumHeight(80);
    m_state = new QLabel;
    m_state->setWordWrap(true);
    m_save = new QPushButton(tr("Save"));
    m_save->setObjectName(QStringLiteral("saveMorphology"));
    connect(m_save, &QPushButton::clicked, this, [this] { emit saveRequested(morphology()); });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_state, 1);
    buttons->addWidget(m_save);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(redCells);
    layout->addWidget(platelets);
    layout->addWidget(new QLabel(tr("Comment")));
    layout->addWidget(m_comment);
    layout->addLayout(buttons);
    layout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(m_allNormal, &QCheckBox::toggled, this, &MorphologyPanel::updateState);
    connect(m_schistocytesCounted, &QCheckBox::toggled, this, &MorphologyPanel::updateState);
    connect(m_schistocytes, &QDoubleSpinBox::valueChanged, this, &MorphologyPanel::updateState);
    connect(m_platelets, &QComboBox::currentIndexChanged, this, &MorphologyPanel::updateState);
    connect(m_clumps, &QCheckBox::toggled, this, &MorphologyPanel::updateState);
    connect(m_wbcKnown, &QCheckBox::toggled, this, &MorphologyPanel::updateState);
    connect(m_wbc, &QDoubleSpinBox::valueChanged, this, &MorphologyPanel::updateState);
    connect(m_comment, &QPlainTextEdit::textChanged, this, &MorphologyPanel::updateState);
    updateState();
}

void MorphologyPanel::setMorphology(const review::CaseMorphology &morphology, bool caseSigned, bool canWrite)
{
    m_stored = morphology;
    m_signed = caseSigned;
    m_canWrite = canWrite;
    const QSignalBlocker blockNormal(m_allNormal);
    m_allNormal->setChecked(morphology.allNormal);
    const QList<review::MorphologyFeature> &features = review::morphologyFeatures();
    for (int i = 0; i < features.size(); ++i) {
        const QSignalBlocker block(m_grades[i]);
        m_grades[i]->setCurrentIndex(morphology.grades.value(QLatin1String(features[i].id)));
    }
    {
        const QSignalBlocker a(m_schistocytesCounted), b(m_schistocytes), c(m_platelets), d(m_clumps), e(m_comment),
            f(m_wbcKnown), g(m_wbc);
        m_wbcKnown->setChecked(morphology.wbcCount.has_value());
        m_wbc->setValue(morphology.wbcCount.value_or(m_wbc->minimum()));
        m_schistocytesCounted->setChecked(morphology.schistocytePercent.has_value());
        m_schistocytes->setValue(morphology.schistocytePercent.value_or(0.0));
        m_platelets->setCurrentIndex(qMax(0, m_platelets->findData(int(morphology.platelets))));
        m_clumps->setChecked(morphology.plateletClumps);
        m_comment->setPlainText(morphology.comment);
    }
    updateState();
}

review::CaseMorphology MorphologyPanel::morphology() const
{
    review::CaseMorphology m;
    m.allNormal = m_allNormal->isChecked();
    const QList<review::MorphologyFeature> &features = review::morphologyFeatures();
    for (int i = 0; i < features.size(); ++i)
        if (m_grades[i]->currentIndex() > 0 && !m.allNormal)
            m.grades.insert(QLatin1String(features[i].id), m_grades[i]->currentIndex());
    if (m_schistocytesCounted->isChecked())
        m.schistocytePercent = m_schistocytes->value();
    m.platelets = review::PlateletEstimate(m_platelets->currentData().toInt());
    m.plateletClumps = m_clumps->isChecked();
    if (m_wbcKnown->isChecked())
        m.wbcCount = m_wbc->value();
    m.comment = m_comment->toPlainText().trimmed();
    return m;
}

void MorphologyPanel::updateState()
{
    // "All normal" and graded findings exclude each other: the grades are
    // shown disabled, and not stored, while it is ticked.
    for (QComboBox *combo : std::as_const(m_grades))
        combo->setEnabled(!m_allNormal->isChecked() && m_canWrite);
    m_schistocytes->setEnabled(m_schistocytesCounted->isChecked() && m_canWrite);
    m_wbc->setEnabled(m_wbcKnown->isChecked() && m_canWrite);
    m_schistocyteNote->setVisible(m_schistocytesCounted->isChecked()
                                  && m_schistocytes->value() > review::kSchistocyteReportPercent);
    const review::CaseMorphology current = morphology();
    const QString problem = current.problem();
    const bool changed = !(current == m_stored);
    if (!problem.isEmpty())
        m_state->setText(problem);
    else if (changed)
        m_state->setText(m_signed ? tr("Not saved. The case is signed: saving is an amendment with a reason.")
                                  : tr("Not saved."));
    else
        m_state->setText(m_stored.isEmpty() ? tr("Nothing recorded yet.") : tr("Saved; part of the signed result."));
    m_save->setEnabled(m_canWrite && changed && problem.isEmpty());
}

} // namespace cytodiff::ui
