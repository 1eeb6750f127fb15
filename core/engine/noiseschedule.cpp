#include "noiseschedule.h"

#include <algorithm>
#include <cmath>
#include "mathconstants.h"

namespace cytodiff::engine {
namespace {

// Nichol & Dhariwal's cosine schedule offset.
constexpr double kCosineOffset = 0.008;

double cosineRaw(double t)
{
    const double angle = (t + kCosineOffset) / (1.0 + kCosineOffset) * kPi / 2.0;
    return std::cos(angle) * std::cos(angle);
}

} // namespace

NoiseSchedule::NoiseSchedule(Kind kind) : m_kind(kind) {}

bool NoiseSchedule::fromName(const std::string &name, NoiseSchedule &out)
{
    if (name == "cosine") {
        out = NoiseSchedule(Kind::Cosine);
        return true;
    }
    if (name == "linear") {
        out = NoiseSchedule(Kind::Linear);
        return true;
    }
    return false;
}

std::string NoiseSchedule::name() const
{
    return m_kind == Kind::Cosine ? "cosine" : "linear";
}

double NoiseSchedule::alphaBar(double t) const
{
    t = std::clamp(t, 0.0, 1.0);
    double value = 0.0;
    if (m_kind == Kind::Cosine) {
        value = cosineRaw(t) / cosineRaw(0.0);
    } else {
        // DDPM linear betas 1e-4 .. 0.02 over 1000 steps, integrated in
        // continuous time: log abar(t) = -(b0 t + (b1 - b0) t^2 / 2) * 1000.
        const double b0 = 1e-4, b1 = 0.02;
        value = std::exp(-1000.0 * (b0 * t + 0.5 * (b1 - b0) * t * t));
    }
    return std::clamp(value, kMinAlphaBar, kMaxAlphaBar);
}

double NoiseSchedule::snr(double t) const
{
    const double ab = alphaBar(t);
    return ab / (1.0 - ab);
}

double NoiseSchedule::minSnrWeight(double t, double gamma) const
{
    return std::min(gamma / snr(t), 1.0);
}

double paperErrorScale(double t)
{
    const double t2 = t * t;
    return 0.927 + 9.837 * t - 4.684 * t2 + 6.019 * t2 * t - 9.340 * t2 * t2;
}

} // namespace cytodiff::engine
