#pragma once
// Settings > Classification and Review: which model classifies, its trial
// budget, heatmap trials, classifying after import; who reviews, the
// review thresholds and the laboratory's reference ranges; the GUI
// language (applied at next start). Reads and
// writes AppSettings; the window applies the values when accepted.

#include "differential.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace cytodiff::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget *parent = nullptr);

    // Writes the values to AppSettings (what accept() does).
    void save();
    // Refuses to close while a reference range cannot be read (it would be
    // dropped): says which and selects it.
    void accept() override;
    // What is wrong with the first reference range that cannot be read
    // (not a number, one limit only, low above high, outside 0-100 %), with
    // its row; empty when all can.
    struct RangeProblem {
        int row = -1;
        QString message;
    };
    RangeProblem rangeProblem() const;

    // Opens on the Classification page with the model field focused.
    void focusModel();

    QLineEdit *modelEdit() const { return m_model; }
    QComboBox *languageBox() const { return m_language; }

private:
    QWidget *buildClassificationPage();
    QWidget *buildReviewPage();
    QWidget *buildLanguagePage();
    QWidget *buildLisPage();
    void load();
    void browseModel();
    void describeModel();
    void fillRanges(const review::ReferenceRanges &ranges);

    QTabWidget *m_tabs = nullptr;
    QLineEdit *m_model = nullptr;
    QLabel *m_modelInfo = nullptr;
    QComboBox *m_protocol = nullptr;
    QSpinBox *m_maxTrials = nullptr;
    QSpinBox *m_heatmapTrials = nullptr;
    QCheckBox *m_afterImport = nullptr;
    QCheckBox *m_secondOpinion = nullptr;
    QLineEdit *m_reviewer = nullptr;
    QCheckBox *m_lisEnabled = nullptr;
    QLineEdit *m_lisFolder = nullptr;
    QLineEdit *m_lisMllp = nullptr;
    QLineEdit *m_lisFhir = nullptr;
    QLineEdit *m_lisSendingFacility = nullptr;
    QLineEdit *m_lisReceivingApplication = nullptr;
    QLineEdit *m_lisReceivingFacility = nullptr;
    QLineEdit *m_lisLoinc = nullptr;
    QSpinBox *m_margin = nullptr;
    QDoubleSpinBox *m_anomaly = nullptr;
    QCheckBox *m_criticalAll = nullptr;
    QDoubleSpinBox *m_criticalMargin = nullptr;
    QTableWidget *m_ranges = nullptr;
    QLineEdit *m_rangesSource = nullptr;
    QComboBox *m_language = nullptr;
};

} // namespace cytodiff::ui
