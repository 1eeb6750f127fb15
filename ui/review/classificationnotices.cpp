#include "classificationnotices.h"

#include <QLocale>
#include <QStringList>

#include <cmath>

namespace cytodiff::ui {

QString ClassificationNotices::settings(const std::vector<std::string> &names)
{
    QStringList words;
    for (const std::string &name : names) {
        if (name == "protocol")
            words << tr("protocol");
        else if (name == "time range")
            words << tr("time range");
        else if (name == "weighting")
            words << tr("weighting");
        else if (name == "judged disk")
            words << tr("judged disk");
        else if (name == "trials")
            words << tr("trials");
        else if (name == "p-value")
            words << tr("p-value");
        else if (name == "views")
            words << tr("views");
        else
            words << QString::fromStdString(name); // a setting newer than these words
    }
    return words.join(QStringLiteral(", "));
}

QString ClassificationNotices::profile(const classify::ProfileUse &use, const QString &modelId)
{
    if (!use.profile || !*use.profile)
        return {}; // none, or a damaged one (the run fails with its message)
    if (!use.differences.scale.empty())
        return tr("%1's error profile was fitted on calls made with other classifier settings (%2 differ), whose "
                  "errors are on another scale: Unidentified falls back to the engine's own anomaly score for these "
                  "calls. Fit a profile for these settings with cytodiff-cli anomaly-profile, or classify with the "
                  "default settings.")
            .arg(modelId, settings(use.differences.scale));
    if (!use.differences.noise.empty())
        return tr("%1's error profile was fitted on calls made with other classifier settings (%2 differ): it still "
                  "scores these calls, but the share of normal cells it shows as Unidentified is no longer the %3% "
                  "it was set for.")
            .arg(modelId, settings(use.differences.noise))
            .arg(QLocale().toString(std::lround((1.0 - (*use.profile)->quantile()) * 100)));
    return {};
}

QString ClassificationNotices::domainCheck(const classify::DomainCheckGap &gap)
{
    if (gap.empty())
        return {};
    if (!gap.effort && !gap.share)
        return tr("The domain check compares the case's images only: the model's domain reference holds no effort "
                  "or share of Unidentified cells of its classifier (cytodiff-cli domain-reference measures them).");
    if (!gap.changedSettings.empty())
        return tr("The domain check compares the case's images only: the classifier's figures in the model's domain "
                  "reference were measured with the default classifier settings, and this run changes its %1.")
            .arg(settings(gap.changedSettings));
    return gap.effort ? tr("The domain check does not compare the share of Unidentified cells: the model's domain "
                           "reference holds none (cytodiff-cli domain-reference measures it).")
                      : tr("The domain check does not compare the classifier's effort: the model's domain reference "
                           "holds none (cytodiff-cli domain-reference measures it).");
}

} // namespace cytodiff::ui
