#include "chart.h"

#include "kde.h"
#include "numbertext.h"
#include "psychometric.h"
#include "roc.h"

#include <algorithm>
#include <cmath>

namespace cytodiff::evaluation {

Chart rocChart(const std::string &title, const std::vector<NamedRoc> &curves)
{
    Chart chart;
    chart.title = title;
    chart.xLabel = "False positive rate";
    chart.yLabel = "True positive rate";
    chart.xMin = 0, chart.xMax = 1, chart.yMin = 0, chart.yMax = 1.02;
    ChartSeries chance{"", ChartSeries::Kind::Line, {0, 1}, {0, 1}, {}, {}, kNeutralColour, true};
    chart.series.push_back(chance);
    for (const auto &roc : curves) {
        ChartSeries s;
        s.name = roc.name + " (AUC " + fixedText(roc.auc, 3) + ")";
        s.rgb = roc.rgb;
        for (const auto &p : roc.curve) {
            s.x.push_back(p.falsePositiveRate);
            s.y.push_back(p.truePositiveRate);
        }
        chart.series.push_back(s);
    }
    return chart;
}

Chart kdeChart(const std::string &title, const std::string &xLabel, const std::vector<double> &normal,
               const std::vector<double> &abnormal, double auc, bool normaliseToMax)
{
    Chart chart;
    chart.title = title;
    chart.xLabel = xLabel;
    chart.yLabel = "Density";
    double top = -std::numeric_limits<double>::infinity(), bottom = std::numeric_limits<double>::infinity();
    for (double v : normal)
        top = std::max(top, v), bottom = std::min(bottom, v);
    for (double v : abnormal)
        top = std::max(top, v), bottom = std::min(bottom, v);
    chart.legendAtTop = true;
    if (normal.empty() && abnormal.empty())
        return chart;
    const double scale = normaliseToMax && top > 0 ? 1.0 / top : 1.0;
    const auto scaled = [scale](std::vector<double> v) {
        for (double &x : v)
            x *= scale;
        return v;
    };
    const auto n = scaled(normal), a = scaled(abnormal);
    const double lo = bottom * scale, hi = top * scale;
    const double pad = 0.1 * std::max(hi - lo, 1e-9);
    const auto grid = linspace(lo - pad, hi + pad, 200);
    const auto add = [&](const std::vector<double> &values, const std::string &name, std::uint32_t rgb) {
        if (values.empty())
            return;
        ChartSeries band{name + " (n = " + std::to_string(values.size()) + ")", ChartSeries::Kind::Band, grid,
                         {}, std::vector<double>(grid.size(), 0.0), gaussianKde(values, grid), rgb};
        band.y = band.upper;
        chart.series.push_back(band);
    };
    add(n, "normal", kDiffusionColour);
    add(a, "abnormal", kBaselineColour);
    chart.xMin = lo - pad, chart.xMax = hi + pad, chart.yMin = 0;
    if (std::isfinite(auc))
        chart.notes.push_back("AUC " + fixedText(auc, 3));
    return chart;
}

Chart psychometricChart(const std::string &title, const std::string &xLabel, const PsychometricData &data,
                        const PsychometricFit &fit)
{
    Chart chart;
    chart.title = title;
    chart.xLabel = xLabel;
    chart.yLabel = "Proportion correct";
    chart.yMin = 0, chart.yMax = 1.02;
    if (fit.ok) {
        chart.series.push_back({"95% credible band", ChartSeries::Kind::Band, fit.curveX, fit.curveMedian,
                                fit.curveLower, fit.curveUpper, 0x9ecae1});
        chart.series.push_back({"posterior median fit", ChartSeries::Kind::Line, fit.curveX, fit.curveMedian, {}, {},
                                kDiffusionColour});
        // The 80% point on the curve: gamma + (1 - gamma - lambda) * 0.8.
        const double level = fit.gamma + (1 - fit.gamma - fit.lapse.estimate) * 0.8;
        chart.series.push_back({"threshold (80%) 95% CI", ChartSeries::Kind::HBar,
                                {fit.threshold80.lower, fit.threshold80.upper}, {level}, {}, {}, 0x000000});
        chart.notes.push_back("threshold m = " + fixedText(fit.threshold.estimate, 3) + " [" + fixedText(fit.threshold.lower, 3)
                              + ", " + fixedText(fit.threshold.upper, 3) + "]");
        chart.notes.push_back("width w = " + fixedText(fit.width.estimate, 3) + " [" + fixedText(fit.width.lower, 3) + ", "
                              + fixedText(fit.width.upper, 3) + "]");
        chart.notes.push_back("lapse = " + fixedText(fit.lapse.estimate, 3) + ", guess rate = " + fixedText(fit.gamma, 3));
    } else {
        chart.notes.push_back(fit.message);
    }
    ChartSeries points{"binned data", ChartSeries::Kind::Points, data.level, {}, {}, {}, 0x222222};
    for (std::size_t i = 0; i < data.level.size(); ++i)
        points.y.push_back(data.total[i] ? double(data.correct[i]) / data.total[i] : 0.0);
    chart.series.push_back(points);
    if (!data.level.empty()) {
        const auto [lo, hi] = std::minmax_element(data.level.begin(), data.level.end());
        const double pad = 0.05 * std::max(*hi - *lo, 1e-9);
        chart.xMin = *lo - pad, chart.xMax = *hi + pad;
    }
    return chart;
}

namespace {

// The legend sits in a right-hand corner of the plot; a falling curve (a
// shift ladder) ends bottom right, a rising one (efficiency) top right.
// Positive when more of the bands reach into the bottom-right corner than
// into the top-right one, so the legend goes to the top.
int rightCornerCrowding(const std::vector<MeanSdSeries> &series, bool logX, double lo, double hi)
{
    const auto position = [&](double x) {
        if (logX && lo > 0 && hi > lo)
            return std::log(x / lo) / std::log(hi / lo);
        return hi > lo ? (x - lo) / (hi - lo) : 1.0;
    };
    int bottom = 0, top = 0;
    for (const auto &s : series)
        for (std::size_t i = 0; i < s.x.size() && i < s.mean.size(); ++i) {
            if (position(s.x[i]) < 0.6)
                continue;
            const double sd = i < s.sd.size() && std::isfinite(s.sd[i]) ? s.sd[i] : 0.0;
            bottom += s.mean[i] - sd < 0.35 ? 1 : 0;
            top += s.mean[i] + sd > 0.65 ? 1 : 0;
        }
    return bottom - top;
}

} // namespace

Chart meanSdChart(const std::string &title, const std::string &xLabel, const std::string &yLabel,
                  const std::vector<MeanSdSeries> &series, bool logX)
{
    Chart chart;
    chart.title = title;
    chart.xLabel = xLabel;
    chart.yLabel = yLabel;
    chart.logX = logX;
    for (const auto &s : series) {
        std::vector<double> lower, upper;
        for (std::size_t i = 0; i < s.mean.size(); ++i) {
            const double sd = i < s.sd.size() && std::isfinite(s.sd[i]) ? s.sd[i] : 0.0;
            lower.push_back(s.mean[i] - sd);
            upper.push_back(s.mean[i] + sd);
        }
        chart.series.push_back({"", ChartSeries::Kind::Band, s.x, s.mean, lower, upper, s.rgb});
        chart.series.push_back({s.name, ChartSeries::Kind::Line, s.x, s.mean, {}, {}, s.rgb});
        // Error bars as well as the band: a band has no width at a single
        // x (a study of one size), the bars still show the spread there.
        chart.series.push_back({"", ChartSeries::Kind::Points, s.x, s.mean, lower, upper, s.rgb, false, 6});
    }
    // Accuracies: the whole [0, 1] scale, so small differences do not look
    // like collapses; a little room left and right for the end markers.
    chart.yMin = 0, chart.yMax = 1.02;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto &s : series)
        for (double x : s.x)
            lo = std::min(lo, x), hi = std::max(hi, x);
    if (!logX && hi > lo)
        chart.xMin = lo - 0.04 * (hi - lo), chart.xMax = hi + 0.04 * (hi - lo);
    chart.legendAtTop = rightCornerCrowding(series, logX, lo, hi) > 0;
    return chart;
}

} // namespace cytodiff::evaluation
