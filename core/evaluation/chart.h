#pragma once
// What a report plot shows, as plain data: the CLI and the GUI build the
// same Chart from the same numbers, and one renderer (ui/reportplots)
// draws it on screen or into a PNG. Keeping the description here lets the
// content of every figure be unit-tested without a display.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cytodiff::evaluation {

struct PsychometricData;
struct PsychometricFit;
struct RocPoint;

struct ChartSeries {
    enum class Kind {
        Line,   // x, y joined
        Points, // markers at (x, y); lower/upper, when given, are vertical error bars
        Band,   // filled between lower and upper over x
        HBar,   // horizontal interval from x[0] to x[1] at y[0] (a credible interval)
    };
    std::string name;           // legend text; empty = not in the legend
    Kind kind = Kind::Line;
    std::vector<double> x, y, lower, upper;
    std::uint32_t rgb = 0x1f6fb5;
    bool dashed = false;
    double markerSize = 7;
};

struct Chart {
    std::string title;
    std::string xLabel, yLabel;
    double xMin = std::numeric_limits<double>::quiet_NaN(), xMax = std::numeric_limits<double>::quiet_NaN();
    double yMin = std::numeric_limits<double>::quiet_NaN(), yMax = std::numeric_limits<double>::quiet_NaN();
    bool logX = false;
    std::vector<ChartSeries> series;
    std::vector<std::string> notes; // lines of text drawn inside the plot
    bool legendAtTop = false;       // legend top right instead of bottom right
    int width = 640, height = 480;  // PNG size in pixels
};

// Palette shared by all report plots (colour-blind safe pair first).
constexpr std::uint32_t kDiffusionColour = 0x1f6fb5; // blue
constexpr std::uint32_t kBaselineColour = 0xd55e00;  // vermillion
constexpr std::uint32_t kNeutralColour = 0x7f7f7f;

struct NamedRoc {
    std::string name;
    std::vector<RocPoint> curve;
    double auc = 0;
    std::uint32_t rgb = kDiffusionColour;
};
Chart rocChart(const std::string &title, const std::vector<NamedRoc> &curves);

// Paper Figure 3: densities of the two groups' confidence, normalised to
// [0, 1] by the largest value of either group (as the paper does).
Chart kdeChart(const std::string &title, const std::string &xLabel, const std::vector<double> &normal,
               const std::vector<double> &abnormal, double auc, bool normaliseToMax = true);

// Paper Figure 2A: binned data (marker area ~ trials), the posterior
// median curve, its 95% band and the 80% point's credible interval.
Chart psychometricChart(const std::string &title, const std::string &xLabel, const PsychometricData &data,
                        const PsychometricFit &fit);

// Paper Figure 4 (and the shift ladder): mean +- SD per x for each model,
// y on [0, 1] (accuracies).
struct MeanSdSeries {
    std::string name;
    std::vector<double> x, mean, sd;
    std::uint32_t rgb = kDiffusionColour;
};
Chart meanSdChart(const std::string &title, const std::string &xLabel, const std::string &yLabel,
                  const std::vector<MeanSdSeries> &series, bool logX);

} // namespace cytodiff::evaluation
