#pragma once
// Help > About: version, the configured model's identity (id, SHA-256,
// training date), intended use, licences and the dataset attribution that
// the PBC licence (CC BY 4.0) requires wherever a model trained on it is
// shipped.

#include <QDialog>

namespace cytodiff::engine {
class Model;
}

namespace cytodiff::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // Also used by tests and by `cytodiff --version`.
    static QString versionString();
    // Rich text describing the model file at modelPath (empty = none
    // configured): its id and SHA-256 when it loads, else why not. Loads
    // the file, so it costs what opening the model costs.
    static QString modelInfoHtml(const QString &modelPath);

private:
    // Table rows: what makes a cell Unidentified and what the domain check
    // compares a case with, as the card provides them.
    static QString safetyNetRows(const engine::Model &model);
};

} // namespace cytodiff::ui
