#pragma once
// The noise schedule is only numbers: no tensors, no network. Continuous
// time t in [0, 1]; z_t = sqrt(abar(t)) z_0 + sqrt(1 - abar(t)) eps
// (method.md section 1).

#include <string>

namespace cytodiff::engine {

class NoiseSchedule {
public:
    enum class Kind { Cosine, Linear };

    explicit NoiseSchedule(Kind kind = Kind::Cosine);
    static bool fromName(const std::string &name, NoiseSchedule &out);
    std::string name() const;

    // abar(t), clamped to [kMinAlphaBar, kMaxAlphaBar] so that neither the
    // signal nor the noise vanishes completely (division by either is safe).
    double alphaBar(double t) const;
    // Signal-to-noise ratio abar / (1 - abar).
    double snr(double t) const;
    // min-SNR-gamma loss weight for eps-prediction: min(gamma / SNR, 1)
    // (Hang et al. 2023; method.md section 1 uses gamma = 5).
    double minSnrWeight(double t, double gamma = 5.0) const;

    static constexpr double kMinAlphaBar = 1e-5;
    static constexpr double kMaxAlphaBar = 1.0 - 1e-5;

private:
    Kind m_kind;
};

// The paper's per-trial error scale f(t) = 0.927 + 9.837t - 4.684t^2 +
// 6.019t^3 - 9.340t^4 (method.md section 1); trials are divided by it.
double paperErrorScale(double t);

} // namespace cytodiff::engine
