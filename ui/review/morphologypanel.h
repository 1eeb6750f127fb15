#pragma once
// The case's red-cell morphology and platelet estimate (issue 24 item 2):
// the ICSH 2015 findings, each none/1+/2+/3+, schistocytes as a percentage
// (with ICSH's note above 1%), "Report all as normal", a free comment, the
// platelet estimate and clumps. Shows what is stored; Save hands the values
// to the review controller, which audits them (an amendment once signed).

#include "morphology.h"

#include <QWidget>

#include <QList>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace cytodiff::ui {

class MorphologyPanel : public QWidget {
    Q_OBJECT
public:
    explicit MorphologyPanel(QWidget *parent = nullptr);

    void setMorphology(const review::CaseMorphology &morphology, bool caseSigned, bool canWrite);
    review::CaseMorphology morphology() const;
    // Typed values that Save has not stored yet.
    bool hasUnsavedChanges() const { return m_canWrite && !(morphology() == m_stored); }
    static QString featureName(const QString &id);

signals:
    void saveRequested(const cytodiff::review::CaseMorphology &morphology);

private:
    void updateState();

    QCheckBox *m_allNormal = nullptr;
    QList<QComboBox *> m_grades; // in morphologyFeatures() order
    QCheckBox *m_schistocytesCounted = nullptr;
    QDoubleSpinBox *m_schistocytes = nullptr;
    QLabel *m_schistocyteNote = nullptr;
    QComboBox *m_platelets = nullptr;
    QCheckBox *m_clumps = nullptr;
    QCheckBox *m_wbcKnown = nullptr;
    QDoubleSpinBox *m_wbc = nullptr;
    QPlainTextEdit *m_comment = nullptr;
    QLabel *m_state = nullptr;
    QPushButton *m_save = nullptr;
    review::CaseMorphology m_stored;
    bool m_signed = false;
    bool m_canWrite = false;
};

} // namespace cytodiff::ui
