#pragma once
// Public, LibTorch-free API of the diffusion engine (pimpl). Qt code
// includes only this header; everything with torch stays in the .cpp files.

#include "autoencodercard.h"
#include "floatimage.h"
#include "networkconfig.h"
#include "result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cytodiff::engine {

constexpr int kModelFormatVersion = 1;
// The classifier compares errors inside a central disk of this radius (share
// of the side; the paper's 20 of 45 px): corners hold neighbours and the
// rotation's padding. A padded crop may shrink it, never below the smallest.
constexpr double kDefaultMaskRadius = 0.45;
constexpr double kSmallestMaskRadius = 0.2;
// How far inside a padded crop's real image the disk keeps: about one
// latent pixel (4 of 96), which the autoencoder and the network blur across.
constexpr double kFillMargin = 0.04;

// The disk an input is judged in: kDefaultMaskRadius, or for a padded tight
// crop (FloatImage::imageRadius below it) the real image less kFillMargin,
// so that the flat fill (unlike any training image) does not vote; never
// below kSmallestMaskRadius.
double maskRadiusFor(const FloatImage &image);

// Everything a model file says about itself besides its weights.
struct ModelCard {
    // "diffusion" (pixel space), "latent-diffusion" (the network runs on an
    // embedded autoencoder's latent) or "baseline" (discriminative CNN).
    std::string kind = "diffusion";
    std::vector<std::string> classNames;
    int cropSize = 288;                    // centre crop in source pixels
    NetworkConfig network;
    std::string schedule = "cosine";
    std::string prediction = "eps";        // network output; converted to eps
    // Per-trial error scale f(t) on a uniform grid over [0, 1] (fitted on
    // validation cells after training; empty = use the paper's polynomial).
    std::vector<double> errorScale;
    // Per-class error offsets fitted on validation cells (`cytodiff-cli
    // calibrate`); added to every weighted trial error of the fast protocol
    // with fitted weighting. Empty = none (all zero).
    std::vector<double> classOffsets;
    std::string calibration;               // how the offsets were fitted
    // Softmax temperature fitted with the offsets (0 = none): display scores
    // softmax(-(errors + offsets) / T) are then calibrated probabilities.
    double scoreTemperature = 0.0;
    std::string dataHash;
    // What the training images look like (JSON written by `cytodiff-cli
    // domain-reference`, read by core/domain; opaque to the engine). Empty =
    // no domain check for this model.
    std::string domainReference;
    // How the model's calls on normal held-out cells look: per predicted
    // class, the mean and spread of the other classes' errors relative to
    // the winner's (JSON written by `cytodiff-cli anomaly-profile`, read by
    // core/classify; opaque to the engine). Empty = the anomaly score is
    // the engine's (-zeta for diffusion, -confidence for a CNN).
    std::string anomalyProfile;
    std::string trainCommand;
    std::string metrics;
    std::string createdAt;
    std::int64_t trainSteps = 0;
    double trainSeconds = 0.0;
    // The optimiser settings the steps ran with; 0 = not recorded (files
    // written before the card carried them).
    double learningRate = 0.0;             // peak rate
    int batchSize = 0;
    // How the network's weights are stored: "float32" (as trained) or
    // "float16" (half the file; widened to float32 on loading, so the maths
    // that runs is the same). A latent model's autoencoder is always float16.
    std::string weights = "float32";
    std::string sha256;                    // of the file it was loaded from
    std::string modelId() const;           // "<file stem>@<sha256 prefix>"
    std::string fileName;

    // Kind "latent-diffusion" only. network.resolution stays the INPUT
    // (pixel) resolution every caller preprocesses to (96); the network
    // denoises z = encode(x).mean * scale at the latent's resolution (24).
    struct Latent {
        int resolution = 0;                // latent side; 0 = not a latent model
        double scale = 1.0;                // 1 / std of the training cells' latents
        // The embedded autoencoder's card; its sha256 and fileName name the
        // autoencoder file the model was trained with.
        AutoencoderCard autoencoder;
        std::string autoencoderId() const; // "<file stem>@<sha256 prefix>"
    } latent;
    bool isLatent() const { return kind == "latent-diffusion"; }
    // The side of what the denoising network sees: the latent's for a
    // latent model, else network.resolution.
    int networkResolution() const { return isLatent() ? latent.resolution : network.resolution; }

    std::map<std::string, std::string> toMetadata() const;
    static Result<ModelCard> fromMetadata(const std::map<std::string, std::string> &metadata);
};

// Copies a model file with its card changed by edit (the weights are
// untouched), writing beside the target and renaming, so a failure never
// leaves a half-written model where a good one was (source may be target).
// Returns the new file's SHA-256.
Result<std::string> rewriteModelCard(const std::string &source, const std::string &target,
                                     const std::function<Result<void>(ModelCard &card)> &edit);
// Copies a model file with its network's weights stored as `weights`
// ("float16" or "float32"), written the same safe way; the card records it.
// Returns the new file's SHA-256.
Result<std::string> storeModelWeights(const std::string &source, const std::string &target, const std::string &weights);

enum class Protocol { Fast, Paper };
// How a trial's errors are scaled before trials are averaged and compared:
// Fitted = the model's own f(t) fitted on validation cells (fast default),
// Paper = the published polynomial (paper default), Uniform = no scaling.
enum class Weighting { Default, Fitted, Paper, Uniform };
// "fitted", "paper", "uniform"; anything else is Default.
Weighting weightingFromName(const std::string &name);

struct ClassifyOptions {
    Protocol protocol = Protocol::Fast;
    // -1 = the protocol's default.
    int trialsMin = -1;
    int trialsMax = -1;
    double pValue = -1.0;
    int trialsPerRound = -1;
    double tMin = -1.0, tMax = -1.0;
    // Views of the cell the trials cycle through: 1 = the image as given,
    // 8 = its flips and quarter turns (the dihedral group the models were
    // trained with), so no single orientation's quirks decide the call.
    // -1 = the protocol's default. Heatmaps always use the plain view.
    int views = -1;
    std::uint64_t seed = 0;
    int anomalyK = 3;            // runners-up in the zeta anomaly score
    Weighting weighting = Weighting::Default;
    // Apply the model card's fitted class offsets (only with fitted weighting).
    bool classOffsets = true;
    // Also run the unconditional (null) class on every trial, for nullGain.
    // Costs one more network evaluation per trial; diffusion models only.
    bool nullGain = false;
    // Radius of the central disk whose errors are compared, as a share of
    // the side; -1 = the input's own (maskRadiusFor).
    double maskRadius = -1.0;

    // Fills the -1 fields, and the default weighting, with the protocol's defaults.
    ClassifyOptions resolved() const;
};

struct ClassifyResult {
    int predicted = -1;
    std::vector<double> errors;       // mean weighted error per class (lower = better)
    std::vector<double> probabilities; // softmax over -errors / spread (for display)
    std::vector<int> trialsPerClass;
    double confidence = 0.0;          // gap between the two smallest errors
    double anomaly = 0.0;             // -zeta: high = unlike any trained class
    int nfe = 0;                      // network evaluations spent
    int trials = 0;
    // With ClassifyOptions::nullGain: the null class's mean weighted error
    // minus the predicted class's, over the same trials. An estimate of
    // log p(x|y) - log p(x): small when no trained class explains the image
    // better than "any cell" does. NaN when not measured.
    double nullGain = std::numeric_limits<double>::quiet_NaN();
    // The runner-up's per-trial error difference to the predicted class,
    // mean over standard deviation (a paired effect size, Cohen's d_z):
    // how consistently the trials prefer the winner, whatever their number.
    // The sequential test needs about (t_crit / evidence)^2 trials, so this
    // is the protocol-free form of "how long the race took". NaN with one
    // class or fewer than two shared trials.
    double evidence = std::numeric_limits<double>::quiet_NaN();
};

struct HeatmapResult {
    int predicted = -1;
    // Per class: signed counterfactual delta_c (method.md section 2), [3][R][R]
    // at the input resolution (a latent model's deltas are decoded to
    // pixels); the predicted class's map is zero, and so is every map
    // outside a padded crop's real image (the fill is no part of the cell).
    std::vector<FloatImage> deltas;
    FloatImage input;                  // the preprocessed input, [-1, 1]
};

using CancelFn = std::function<bool()>;

enum class NetworkPrecision { Float32, BFloat16 };

class Model {
public:
    Model();
    ~Model();
    Model(Model &&) noexcept;
    Model &operator=(Model &&) noexcept;

    // device: "cpu" or "cuda". Errors name the file and what to do.
    static Result<Model> load(const std::string &path, const std::string &device = "cpu");
    // The same from a model file's bytes (sourceName names it in messages
    // and becomes the card's fileName).
    static Result<Model> loadFromBytes(const std::string &bytes, const std::string &sourceName,
                                       const std::string &device = "cpu");

    const ModelCard &card() const;
    int numClasses() const;
    int classIndex(const std::string &name) const; // -1 if unknown

    Result<ClassifyResult> classify(const FloatImage &image, const ClassifyOptions &options,
                                    const CancelFn &cancelled = {}) const;
    Result<HeatmapResult> heatmaps(const FloatImage &image, int trials, std::uint64_t seed,
                                   const CancelFn &cancelled = {}) const;
    // DDIM sampling; guidance 1 = plain conditional, > 1 classifier-free.
    Result<std::vector<FloatImage>> generate(int classIndex, int count, int steps, double guidance,
                                             std::uint64_t seed, const CancelFn &cancelled = {}) const;
    // Network evaluations per second at a given batch size (the denoising
    // network only: a latent model encodes a cell once, not per evaluation).
    double benchmarkNetwork(int batch, int repeats) const;
    // BFloat16: the denoising network runs on a bfloat16 copy of its weights
    // (CPU only; this CPU has avx512_bf16); the timestep, the latent codec,
    // the network's output and every error sum stay float32. Not the
    // default: docs/method-notes.md, "bf16 on this CPU".
    Result<void> setNetworkPrecision(NetworkPrecision precision);
    NetworkPrecision networkPrecision() const;

    bool isNull() const { return !m_impl; }
    bool isDiffusion() const;

    struct Impl;

private:
    Result<ClassifyResult> classifyDiscriminative(const FloatImage &image) const;

    std::unique_ptr<Impl> m_impl;
};

// Sets LibTorch's intra-op thread count for this process (0 = leave).
void setThreadCount(int threads);
int threadCount();

// Renders a signed delta map as an 8-bit grayscale-like RGB picture in
// [-1, 1] space: dark = features to add, light = features to remove.
FloatImage renderHeatmap(const FloatImage &delta, double gain);
// Diverging overlay on the input: blue where class c needs more stain,
// red where it needs less; alpha in [0, 1].
FloatImage renderOverlay(const FloatImage &input, const FloatImage &delta, double gain, double alpha);

} // namespace cytodiff::engine
