#pragma once
// Drawn blood-film cells for the domain-check and normalisation tests: a
// reference laboratory's images and another's (other magnification, stain,
// focus, crop), with their measurements.
#include "imagestats.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>
#include <string>
#include <vector>

namespace cytodiff::testing {

struct Drawing {
    int side = 360;
    double nucleusRadius = 40;
    double scale = 1.0;               // magnification relative to the reference
    cv::Scalar nucleus{110, 50, 140}; // RGB
    bool redCells = true;
    double blur = 0.8;
    int crop = 0;                     // > 0: a tight crop of this many pixels around the cell
};

// A May-Gruenwald-Giemsa-like smear crop: pale background, pink red cells,
// a lilac cytoplasm around a purple nucleus at the centre. PNG bytes.
inline std::string drawCell(const Drawing &d, std::uint32_t seed)
{
    std::mt19937 random(seed);
    std::normal_distribution<double> jitter(0.0, 1.0);
    cv::Mat rgb(d.side, d.side, CV_8UC3, cv::Scalar(226, 214, 218));
    const cv::Point centre(d.side / 2, d.side / 2);
    if (d.redCells) {
        std::uniform_int_distribution<int> position(0, d.side - 1);
        for (int i = 0; i < 14; ++i) {
            const cv::Point p(position(random), position(random));
            if (cv::norm(p - centre) < 90 * d.scale)
                continue;
            cv::circle(rgb, p, int(30 * d.scale), cv::Scalar(214, 150, 160), cv::FILLED, cv::LINE_AA);
        }
    }
    const double r = (d.nucleusRadius + 3 * jitter(random)) * d.scale;
    cv::circle(rgb, centre, int(r * 1.4), cv::Scalar(200, 178, 206), cv::FILLED, cv::LINE_AA);
    cv::circle(rgb, centre + cv::Point(int(2 * jitter(random)), int(2 * jitter(random))), int(r), d.nucleus,
               cv::FILLED, cv::LINE_AA);
    cv::Mat noise(rgb.size(), CV_16SC3);
    cv::randn(noise, 0, 3);
    cv::Mat noisy;
    rgb.convertTo(noisy, CV_16SC3);
    noisy += noise;
    noisy.convertTo(rgb, CV_8UC3);
    if (d.blur > 0)
        cv::GaussianBlur(rgb, rgb, cv::Size(), d.blur);
    if (d.crop > 0) {
        const cv::Rect box(centre.x - d.crop / 2, centre.y - d.crop / 2, d.crop, d.crop);
        rgb = rgb(box).clone();
    }
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> png;
    cv::imencode(".png", bgr, png);
    return std::string(png.begin(), png.end());
}

inline std::vector<imaging::ImageStats> measureMany(const Drawing &d, int count, std::uint32_t firstSeed)
{
    std::vector<imaging::ImageStats> out;
    for (int i = 0; i < count; ++i) {
        auto stats = imaging::measureImage(drawCell(d, firstSeed + i));
        if (stats)
            out.push_back(*stats);
    }
    return out;
}

// A reference laboratory's mix: nuclei of several sizes, as a blood film's
// classes have (60 measured images).
inline std::vector<imaging::ImageStats> measureTrainingMix()
{
    std::vector<imaging::ImageStats> training;
    for (double radius : {28.0, 38.0, 46.0, 56.0}) {
        Drawing d;
        d.nucleusRadius = radius;
        auto some = measureMany(d, 15, std::uint32_t(radius * 100));
        training.insert(training.end(), some.begin(), some.end());
    }
    return training;
}

} // namespace cytodiff::testing
