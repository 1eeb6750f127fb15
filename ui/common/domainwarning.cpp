#include "domainwarning.h"

#include <QStringList>

namespace cytodiff::ui {

QString DomainWarning::aspectText(domain::Aspect aspect)
{
    switch (aspect) {
    case domain::Aspect::Scale: return tr("cell scale (magnification or crop)");
    case domain::Aspect::Framing: return tr("framing (cells off centre)");
    case domain::Aspect::Background: return tr("background (crop tightness or lighting)");
    case domain::Aspect::Stain: return tr("stain colour");
    case domain::Aspect::Focus: return tr("focus");
    case domain::Aspect::Segmentation: return tr("cells that cannot be found");
    case domain::Aspect::Effort: return tr("the classifier's effort");
    case domain::Aspect::Unidentified: return tr("cells unlike any trained class");
    case domain::Aspect::Compression: return tr("heavy JPEG compression");
    case domain::Aspect::ImageSize: return tr("image size");
    }
    return {};
}

QString DomainWarning::text(const domain::DomainVerdict &verdict)
{
    if (!verdict.outside)
        return {};
    QStringList aspects;
    for (const domain::Aspect aspect : verdict.aspects())
        aspects << aspectText(aspect);
    return tr("These images differ from the model's training images in %1: the predictions are unreliable; "
              "review every cell.")
        .arg(aspects.join(QStringLiteral(", ")));
}

QString DomainWarning::normalisationText(const domain::DomainVerdict &verdict)
{
    const imaging::CaseNormalisation &n = verdict.normalisation;
    if (n.isIdentity())
        return {};
    QStringList changes;
    if (n.scale != 1.0)
        changes << tr("cells rescaled (they appear %1 times the training size)").arg(n.scale, 0, 'f', 2);
    if (n.pad)
        changes << tr("tight crops padded to the model's framing");
    if (n.recentreAbove >= 0)
        changes << tr("off-centre cells recentred");
    if (n.stain)
        changes << tr("stain colours mapped to those of the training images");
    return tr("Before classification these images were brought to the model's training images: %1.")
        .arg(changes.join(QStringLiteral(", ")));
}

} // namespace cytodiff::ui
