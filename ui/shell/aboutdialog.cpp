#include "aboutdialog.h"

#include "anomalyprofile.h"
#include "appsettings.h"
#include "domaincheck.h"
#include "engine.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace cytodiff::ui {

QString AboutDialog::versionString()
{
    const QString version = QCoreApplication::applicationVersion();
    return version.isEmpty() ? tr("development build") : version;
}

QString AboutDialog::modelInfoHtml(const QString &modelPath)
{
    if (modelPath.isEmpty())
        return tr("<p>No model is configured and the default model "
                  "(cytodiff-v2-pbc8.pt) is not installed. Choose a model file in "
                  "Settings.</p>");
    const QString file = modelPath.toHtmlEscaped();
    if (!QFileInfo::exists(modelPath))
        return tr("<p>The configured model file <tt>%1</tt> does not exist.</p>").arg(file);

    const auto loaded = engine::Model::load(modelPath.toStdString());
    if (!loaded)
        return tr("<p>The configured model file <tt>%1</tt> cannot be loaded: %2</p>")
            .arg(file, QString::fromStdString(loaded.error()).toHtmlEscaped());

    const engine::ModelCard &card = loaded->card();
    const auto text = [](const std::string &s) {
        return s.empty() ? tr("unknown") : QString::fromStdString(s).toHtmlEscaped();
    };
    const QString identity =
        tr("<table cellspacing='0' cellpadding='1'>"
           "<tr><td>Id&nbsp;</td><td><b>%1</b> (%2, %3 classes)</td></tr>"
           "<tr><td>Trained&nbsp;</td><td>%4, %5 steps</td></tr>"
           "<tr><td>SHA-256&nbsp;</td><td><tt>%6</tt></td></tr>"
           "<tr><td>File&nbsp;</td><td><tt>%7</tt></td></tr>"
           "</table>")
            .arg(text(card.modelId()), text(card.kind), QString::number(card.classNames.size()),
                 text(card.createdAt), QString::number(card.trainSteps), text(card.sha256), file);
    // The same table, so that its columns line up.
    QString html = identity;
    html.insert(html.lastIndexOf(QLatin1String("</table>")), safetyNetRows(*loaded));
    return html;
}

QString AboutDialog::safetyNetRows(const engine::Model &model)
{
    const auto escaped = [](const std::string &s) { return QString::fromStdString(s).toHtmlEscaped(); };
    // What flags a cell as Unidentified (the queue's anomaly score), with
    // the application's own classifier settings.
    QString unidentified;
    const classify::ProfileUse use = classify::profileUse(model, engine::ClassifyOptions{});
    if (!use.profile)
        unidentified = tr("the classifier's own score (the card has no error profile)");
    else if (!*use.profile)
        unidentified = tr("none: %1; every call fails until the profile is fitted again").arg(escaped(use.profile->error()));
    else if (!use.applies)
        unidentified = tr("the classifier's own score: %1").arg(escaped(use.notice));
    else
        unidentified = tr("error profile fitted on %1 cells (about %2% of normal cells above its threshold)")
                           .arg((*use.profile)->cells())
                           .arg(qRound(100.0 * (1.0 - (*use.profile)->quantile())));

    // What the domain check compares a case with.
    QString domainCheck;
    if (model.card().domainReference.empty()) {
        domainCheck = tr("none (the card has no domain reference)");
    } else if (auto reference = domain::DomainReference::fromJson(model.card().domainReference); !reference) {
        domainCheck = tr("none: %1").arg(escaped(reference.error()));
    } else if (reference->hasEffort() && reference->hasUnidentifiedShare()) {
        domainCheck = tr("the images against %1 training images; the classifier's effort and unidentified share "
                         "against %2 validation cells")
                          .arg(reference->images)
                          .arg(reference->effortCells);
    } else if (model.isDiffusion() && reference->hasEffort()) {
        // anomaly-profile removes the share alone (a new Unidentified rule).
        domainCheck = tr("the images against %1 training images; the classifier's effort against %2 validation "
                         "cells; not its unidentified share (not in the reference: cytodiff-cli domain-reference "
                         "measures it)")
                          .arg(reference->images)
                          .arg(reference->effortCells);
    } else if (model.isDiffusion()) {
        // Removed by calibrate, or never measured.
        domainCheck = tr("the images against %1 training images; not the classifier's effort or unidentified share "
                         "(not in the reference: cytodiff-cli domain-reference measures them)")
                          .arg(reference->images);
    } else {
        domainCheck = tr("the images against %1 training images").arg(reference->images);
    }
    return tr("<tr><td>Unidentified&nbsp;</td><td>%1</td></tr>"
              "<tr><td>Domain check&nbsp;</td><td>%2</td></tr>")
        .arg(unidentified, domainCheck);
}

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("About CytoDiff"));
    setObjectName(QStringLiteral("aboutDialog"));

    auto *icon = new QLabel;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/cytodiff.svg")).pixmap(72, 72));
    icon->setAlignment(Qt::AlignTop);

    auto *heading = new QLabel(
        tr("<h2 style='margin-bottom:2px'>CytoDiff</h2>"
           "<div>Version %1 &middot; Qt %2</div>"
           "<div style='margin-top:6px'>Review and classification of blood-cell "
           "images with a diffusion-based generative classifier.</div>")
            .arg(versionString().toHtmlEscaped(), QString::fromLatin1(qVersion())));
    heading->setWordWrap(true);
    heading->setTextFormat(Qt::RichText);

    auto *text = new QTextBrowser;
    text->setOpenExternalLinks(true);
    text->setObjectName(QStringLiteral("aboutText"));
    text->setHtml(
        tr("<h4>Model</h4>") % modelInfoHtml(AppSettings::effectiveModelPath())
        % tr("<h4>Intended use</h4>"
           "<p>Research software. Every automated classification must be "
           "verified by a qualified reviewer before a result is reported.</p>"
           "<h4>Dataset attribution</h4>"
           "<p>The default model is trained on the PBC dataset: Acevedo A, "
           "Merino A, Alférez S, Molina Á, Boldú L, Rodellar J. <i>A dataset of "
           "microscopic peripheral blood cell images for development of "
           "automatic recognition systems.</i> Data in Brief 30 (2020) 105474. "
           "Licensed under <a href='https://creativecommons.org/licenses/by/4.0/'>"
           "CC BY 4.0</a>.</p>"
           "<h4>Licences</h4>"
           "<p>CytoDiff is distributed under the MIT licence (the LICENSE "
           "file; /usr/share/doc/cytodiff/copyright when installed from the "
           "Debian package). It uses the following components:</p>"
           "<ul>"
           "<li>Qt 6 &mdash; LGPL 3.0</li>"
           "<li>QCustomPlot &mdash; GPL 3.0</li>"
           "<li>LibTorch (PyTorch) &mdash; BSD 3-Clause</li>"
           "<li>OpenCV &mdash; Apache 2.0</li>"
           "<li>SQLite &mdash; public domain</li>"
           "</ul>"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *top = new QHBoxLayout;
    top->setSpacing(16);
    top->addWidget(icon);
    top->addWidget(heading, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    resize(560, 520);
}

} // namespace cytodiff::ui
