#pragma once
// Help > About: version, intended use, licences and the dataset attribution
// that the PBC licence (CC BY 4.0) requires wherever a model trained on it
// is shipped.

#include <QDialog>

namespace cytodiff::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // Also used by tests and by `cytodiff --version`.
    static QString versionString();
};

} // namespace cytodiff::ui
