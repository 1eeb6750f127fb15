#include <torch/torch.h>

#include "augment.h"
#include "baselinenet.h"
#include "classifier.h"
#include "latentcodec.h"
#include "modelio.h"
#include "sampler.h"

#include <chrono>
#include <sstream>

namespace cytodiff::engine {

struct Model::Impl {
    ModelCard card;
    NoiseSchedule schedule;
    torch::Device device{torch::kCPU};
    UNet network{nullptr};
    ResNetClassifier baseline{nullptr}; // set instead of network for kind "baseline"
    LatentCodec codec;                  // kind "latent-diffusion" only
    UNet networkBf16{nullptr};          // setNetworkPrecision's bfloat16 copy of network

    bool bf16() const { return !networkBf16.is_empty(); }
    UNet &activeNetwork() { return bf16() ? networkBf16 : network; }

    // What the denoising network works on: the image [3,R,R] itself, or its
    // scaled latent [L,r,r].
    torch::Tensor networkInput(const FloatImage &image)
    {
        auto x = toTensor(image); // [3,R,R]
        return codec.isNull() ? x : codec.encode(x.unsqueeze(0))[0]; // [C,r,r]
    }

    // The classifier's input with the views its trials cycle through. A
    // latent model gets the latent of each turned image, [V,L,r,r]: the
    // latent of a turned cell is not the turned latent, and models trained
    // on pre-encoded turns (`encode-pack --variants 8`) never see one
    // (turning v2's latent took 64 validation cells from 100% to 92%).
    // Pixel models are turned by the classifier itself.
    torch::Tensor classifierInput(const FloatImage &image, int views)
    {
        if (codec.isNull() || views <= 1)
            return networkInput(image);
        return codec.encode(dihedralViews(toTensor(image), views)); // [V,3,R,R] -> [V,L,r,r]
    }

    double errorScale(double t) const
    {
        if (card.errorScale.empty())
            return paperErrorScale(t);
        // Linear interpolation on the uniform grid over [0, 1].
        const int n = int(card.errorScale.size());
        const double position = std::clamp(t, 0.0, 1.0) * (n - 1);
        const int i = std::min(int(position), n - 2 < 0 ? 0 : n - 2);
        if (n == 1)
            return card.errorScale[0];
        const double f = position - i;
        return std::max(1e-8, card.errorScale[i] * (1 - f) + card.errorScale[i + 1] * f);
    }
};

std::string serializeModule(torch::nn::Module &module)
{
    torch::serialize::OutputArchive archive;
    module.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
}

namespace {

// Module::load copies each stored tensor into the module's own with set_,
// which in LibTorch 1.13 keeps the module tensor's type and reinterprets
// the stored bytes (float16 read as float32 or the reverse) without an
// error. So every stored tensor's type is checked against the module's
// first, walking the archive as Module::save wrote it.
void checkStoredTypes(torch::serialize::InputArchive &archive, torch::nn::Module &module, const std::string &prefix)
{
    auto check = [&](const std::string &key, const torch::Tensor &expected, bool buffer) {
        torch::Tensor stored;
        if (archive.try_read(key, stored, buffer) && stored.defined() && stored.scalar_type() != expected.scalar_type())
            throw std::runtime_error("tensor " + prefix + key + " is stored as " + std::string(c10::toString(stored.scalar_type()))
                                     + ", not " + c10::toString(expected.scalar_type()));
    };
    for (const auto &item : module.named_parameters(/*recurse=*/false))
        check(item.key(), item.value(), false);
    for (const auto &item : module.named_buffers(/*recurse=*/false))
        check(item.key(), item.value(), true);
    for (const auto &child : module.named_children()) {
        torch::serialize::InputArchive nested;
        if (archive.try_read(child.key(), nested))
            checkStoredTypes(nested, *child.value(), prefix + child.key() + ".");
    }
}

} // namespace

Result<void> deserializeModule(torch::nn::Module &module, const std::string &payload, const torch::Device &device,
                               const std::string &sourceName)
{
    // Module::load replaces tensors without comparing shapes, so compare
    // them ourselves: a mismatch must be an error, not a crash later.
    std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
    for (const auto &item : module.named_parameters())
        expected.emplace_back(item.key(), item.value().sizes().vec());
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(payload.data(), payload.size(), device);
        checkStoredTypes(archive, module, "");
        module.load(archive);
        const auto loaded = module.named_parameters();
        for (const auto &[name, shape] : expected) {
            const auto *tensor = loaded.find(name);
            if (!tensor || tensor->sizes().vec() != shape)
                throw std::runtime_error("parameter " + name + " has another shape");
        }
    } catch (const std::exception &e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        return makeError("The weights in '" + sourceName + "' do not match the network it describes (" + what
                         + "). The file is damaged or was written by an incompatible build.");
    }
    return {};
}

Result<torch::Device> parseDevice(const std::string &device)
{
    if (device.empty() || device == "cpu")
        return torch::Device(torch::kCPU);
    if (device.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            return makeError("CUDA was requested but this build or machine has no CUDA device; use --device cpu.");
        return torch::Device(device);
    }
    return makeError("Unknown device '" + device + "': use cpu or cuda.");
}

Result<void> writeModelFile(const std::string &path, ModelCard &card, torch::nn::Module &weights)
{
    Container container;
    container.kind = "model";
    container.metadata = card.toMetadata();
    torch::Device original = weights.parameters().empty() ? torch::Device(torch::kCPU)
                                                          : weights.parameters().front().device();
    weights.to(torch::kCPU); // files always hold CPU tensors; load() maps them
    container.payload = serializeModule(weights);
    weights.to(original);
    auto written = writeContainer(path, container);
    if (!written)
        return written;
    card.sha256 = container.sha256;
    card.fileName = path;
    return {};
}

Result<void> saveDiffusionModel(const std::string &path, ModelCard &card, UNet &network)
{
    return writeModelFile(path, card, *network);
}

torch::Tensor toTensor(const FloatImage &image)
{
    return torch::from_blob(const_cast<float *>(image.data.data()), {image.channels, image.height, image.width},
                            torch::kFloat32)
        .clone(); // [3,R,R]
}

FloatImage toFloatImage(const torch::Tensor &chw)
{
    auto contiguous = chw.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    FloatImage image{int(contiguous.size(0)), int(contiguous.size(1)), int(contiguous.size(2)), {}};
    image.data.assign(contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel());
    return image;
}

EpsFn makeEpsFn(UNet &network, const NoiseSchedule &schedule, const std::string &prediction, const torch::Device &device,
                bool bf16)
{
    const bool vPrediction = prediction == "v";
    const auto type = bf16 ? torch::kBFloat16 : torch::kFloat32;
    return [&network, schedule, vPrediction, device, type](const torch::Tensor &z, const torch::Tensor &t,
                                                            const torch::Tensor &c) {
        // t stays float32: the timestep embedding's angles need its digits.
        auto out = network->forward(z.to(device, type), t.to(device), c.to(device)); // [B,C,R,R]
        out = out.to(torch::kCPU, torch::kFloat32);
        if (!vPrediction)
            return out;
        std::vector<float> a(t.size(0)), b(t.size(0));
        auto tc = t.contiguous();
        for (int64_t i = 0; i < t.size(0); ++i) {
            const double ab = schedule.alphaBar(tc[i].item<double>());
            a[i] = float(std::sqrt(1.0 - ab));
            b[i] = float(std::sqrt(ab));
        }
        return torch::tensor(a).view({-1, 1, 1, 1}) * z + torch::tensor(b).view({-1, 1, 1, 1}) * out;
    };
}

Model::Model() = default;
Model::~Model() = default;
Model::Model(Model &&) noexcept = default;
Model &Model::operator=(Model &&) noexcept = default;

namespace {

// Everything after the container checks: the card, the network it
// describes, and the weights, each failure phrased for the file's user.
Result<std::unique_ptr<Model::Impl>> buildModel(const Result<Container> &container, const std::string &path,
                                                const std::string &device)
{
    if (!container)
        return makeError(container.error());
    auto card = ModelCard::fromMetadata(container->metadata);
    if (!card)
        return makeError("Cannot use '" + path + "': " + card.error() + ".");
    if (card->kind != "diffusion" && card->kind != "baseline" && !card->isLatent())
        return makeError("'" + path + "' holds a '" + card->kind + "' model, which this version of CytoDiff does not know.");
    auto parsedDevice = parseDevice(device);
    if (!parsedDevice)
        return makeError(parsedDevice.error());

    auto impl = std::make_unique<Model::Impl>();
    impl->card = std::move(*card);
    impl->card.sha256 = container->sha256;
    impl->card.fileName = path;
    if (!NoiseSchedule::fromName(impl->card.schedule, impl->schedule))
        return makeError("'" + path + "' uses an unknown noise schedule '" + impl->card.schedule + "'.");
    impl->device = *parsedDevice;
    if (impl->card.isLatent()) {
        auto networks = loadLatentNetworks(impl->card, container->payload, impl->device, path);
        if (!networks)
            return makeError(networks.error());
        impl->network = networks->network;
        impl->codec = networks->codec;
        return impl;
    }
    torch::nn::Module *module = nullptr;
    try {
        if (impl->card.kind == "baseline") {
            impl->baseline = ResNetClassifier(impl->card.network);
            module = impl->baseline.ptr().get();
        } else {
            impl->network = UNet(impl->card.network);
            module = impl->network.ptr().get();
        }
    } catch (const std::exception &e) {
        return makeError("Cannot build the network described by '" + path + "': " + e.what());
    }
    auto loaded = loadStoredWeights(*module, *module, impl->card, container->payload, impl->device, path);
    if (!loaded)
        return makeError(loaded.error());
    module->to(impl->device);
    module->eval();
    return impl;
}

} // namespace

Result<Model> Model::load(const std::string &path, const std::string &device)
{
    auto impl = buildModel(readContainer(path, "model"), path, device);
    if (!impl)
        return makeError(impl.error());
    Model model;
    model.m_impl = std::move(*impl);
    return model;
}

Result<Model> Model::loadFromBytes(const std::string &bytes, const std::string &sourceName, const std::string &device)
{
    auto impl = buildModel(parseContainer(bytes, "model", sourceName), sourceName, device);
    if (!impl)
        return makeError(impl.error());
    Model model;
    model.m_impl = std::move(*impl);
    return model;
}

const ModelCard &Model::card() const { return m_impl->card; }
bool Model::isDiffusion() const { return m_impl && !m_impl->baseline; }
int Model::numClasses() const { return int(m_impl->card.classNames.size()); }

int Model::classIndex(const std::string &name) const
{
    const auto &names = m_impl->card.classNames;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return int(i);
    return -1;
}

namespace {

Result<void> checkInput(const FloatImage &image, const ModelCard &card)
{
    const int r = card.network.resolution;
    if (image.channels != 3 || image.height != r || image.width != r
        || image.data.size() != std::size_t(3) * r * r) {
        return makeError("The image was prepared as " + std::to_string(image.width) + "x"
                         + std::to_string(image.height) + " but the model expects " + std::to_string(r) + "x"
                         + std::to_string(r) + " RGB.");
    }
    return {};
}

} // namespace

Result<ClassifyResult> Model::classify(const FloatImage &image, const ClassifyOptions &options,
                                       const CancelFn &cancelled) const
{
    auto valid = checkInput(image, m_impl->card);
    if (!valid)
        return makeError(valid.error());
    if (m_impl->baseline)
        return classifyDiscriminative(image);
    try {
        c10::InferenceMode inference;
        ClassifyOptions chosen = options;
        if (chosen.maskRadius < 0)
            chosen.maskRadius = maskRadiusFor(image);
        const auto resolved = chosen.resolved();
        auto eps = makeEpsFn(m_impl->activeNetwork(), m_impl->schedule, m_impl->card.prediction, m_impl->device, m_impl->bf16());
        const Weighting weighting = resolved.weighting;
        ErrorScaleFn scale = weighting == Weighting::Paper     ? ErrorScaleFn(paperErrorScale)
                             : weighting == Weighting::Uniform ? ErrorScaleFn([](double) { return 1.0; })
                                                               : ErrorScaleFn([this](double t) { return m_impl->errorScale(t); });
        // Offsets were fitted for the fitted weighting; other weightings
        // put errors on another scale.
        static const std::vector<double> kNoOffsets;
        const auto &offsets = weighting == Weighting::Fitted && resolved.classOffsets ? m_impl->card.classOffsets : kNoOffsets;
        return runClassifier(eps, m_impl->schedule, m_impl->classifierInput(image, resolved.views), numClasses(), resolved, scale, cancelled, nullptr,
                             offsets, m_impl->card.scoreTemperature);
    } catch (const std::exception &e) {
        return makeError(std::string("Classification failed: ") + e.what());
    }
}

Result<ClassifyResult> Model::classifyDiscriminative(const FloatImage &image) const
{
    try {
        c10::InferenceMode inference;
        auto logits = m_impl->baseline->forward(toTensor(image).unsqueeze(0).to(m_impl->device))[0].to(torch::kCPU); // [K]
        ClassifyResult result;
        result.nfe = 1;
        result.trials = 1;
        auto probabilities = logits.softmax(0);
        for (int c = 0; c < numClasses(); ++c) {
            result.errors.push_back(-logits[c].item<double>()); // lower = better, as for diffusion
            result.probabilities.push_back(probabilities[c].item<double>());
            result.trialsPerClass.push_back(1);
        }
        result.predicted = int(logits.argmax().item<int64_t>());
        auto top = std::get<0>(logits.topk(std::min(2, numClasses())));
        // The paper's confidence for discriminative models: the gap between
        // the two largest logits; the anomaly score is its negative.
        result.confidence = numClasses() > 1 ? (top[0] - top[1]).item<double>() : 0.0;
        result.anomaly = -result.confidence;
        return result;
    } catch (const std::exception &e) {
        return makeError(std::string("Classification failed: ") + e.what());
    }
}

namespace {

// A latent model's counterfactuals in pixels (method.md section 2: "map
// delta_c back to pixel space with the decoder"). delta_c = eps_theta_chat
// - eps_theta_c averaged over the trials has the sign and (up to the
// per-t factor sqrt(1-ab)/sqrt(ab)) the size of the shift between the
// denoised estimates x0_c - x0_chat, so the cell moved by delta_c in the
// latent, decoded, minus the cell as decoded, is that shift in pixels: the
// same sign convention as a pixel model's maps. z: [L,r,r]; deltas:
// [K,L,r,r] -> [K,3,R,R], the predicted class's map exactly zero.
torch::Tensor decodedDeltas(LatentCodec &codec, const torch::Tensor &z, const torch::Tensor &deltas, int predicted)
{
    auto decoded = codec.decode(torch::cat({z.unsqueeze(0), z.unsqueeze(0) + deltas})); // [K+1,3,R,R]
    auto pixels = decoded.narrow(0, 1, deltas.size(0)) - decoded[0].unsqueeze(0);         // [K,3,R,R]
    pixels[predicted].zero_(); // rounding in the decoder must not draw a map for "no change"
    return pixels;
}

// 1 on the central square a padded crop's real image covers (imageRadius
// is its half side as a share of the side: the nearest edge of the source
// picture), 0 on the fill.
torch::Tensor realImageMask(int resolution, double imageRadius)
{
    auto centres = torch::arange(resolution, torch::kFloat32) + 0.5 - resolution / 2.0; // [R]
    auto inside = (centres.abs() <= imageRadius * resolution).to(torch::kFloat32);     // [R]
    return inside.view({resolution, 1}) * inside.view({1, resolution});               // [R,R]
}

} // namespace

Result<HeatmapResult> Model::heatmaps(const FloatImage &image, int trials, std::uint64_t seed,
                                      const CancelFn &cancelled) const
{
    if (m_impl->baseline)
        return makeError("Counterfactual heatmaps need a diffusion model; this is the discriminative baseline.");
    auto valid = checkInput(image, m_impl->card);
    if (!valid)
        return makeError(valid.error());
    try {
        c10::InferenceMode inference;
        ClassifyOptions options;
        options.trialsMin = options.trialsMax = std::max(trials, 2);
        options.seed = seed;
        // The same disk as the cell's classification, so the maps explain
        // the call that was stored.
        options.maskRadius = maskRadiusFor(image);
        const auto resolved = options.resolved();
        auto eps = makeEpsFn(m_impl->activeNetwork(), m_impl->schedule, m_impl->card.prediction, m_impl->device, m_impl->bf16());
        ResidualAccumulator residuals;
        const auto x0 = m_impl->networkInput(image); // [C,r,r]
        auto result = runClassifier(eps, m_impl->schedule, x0, numClasses(), resolved,
                                    [this](double t) { return m_impl->errorScale(t); }, cancelled, &residuals,
                                    m_impl->card.classOffsets, m_impl->card.scoreTemperature);
        if (!result)
            return makeError(result.error());
        HeatmapResult heatmaps;
        heatmaps.predicted = result->predicted;
        heatmaps.input = image;
        auto means = residuals.sums / residuals.counts.clamp_min(1).view({-1, 1, 1, 1}); // Delta_c [K,C,r,r]
        auto deltas = means - means[heatmaps.predicted].unsqueeze(0);                     // delta_c [K,C,r,r]
        if (!m_impl->codec.isNull())
            deltas = decodedDeltas(m_impl->codec, x0, deltas, heatmaps.predicted);        // [K,3,R,R]
        if (image.imageRadius < 0.5)
            deltas = deltas * realImageMask(int(deltas.size(-1)), image.imageRadius);    // [K,3,R,R]
        for (int c = 0; c < numClasses(); ++c)
            heatmaps.deltas.push_back(toFloatImage(deltas[c]));
        return heatmaps;
    } catch (const std::exception &e) {
        return makeError(std::string("Heatmap computation failed: ") + e.what());
    }
}

namespace {

// Bound on a latent model's denoised estimate while sampling: the scaled
// latent has unit spread, so 4 keeps every plausible value and stops the
// early, nearly pure-noise steps (ab close to 0) from throwing x0 far
// outside what the decoder has seen.
constexpr double kLatentClip = 4.0;

} // namespace

Result<std::vector<FloatImage>> Model::generate(int classIndex, int count, int steps, double guidance,
                                                std::uint64_t seed, const CancelFn &cancelled) const
{
    if (m_impl->baseline)
        return makeError("Generating cells needs a diffusion model; this is the discriminative baseline.");
    if (classIndex < 0 || classIndex >= numClasses())
        return makeError("Unknown class index " + std::to_string(classIndex) + ".");
    if (count < 1)
        return makeError("Nothing to generate: the count must be at least 1.");
    try {
        c10::InferenceMode inference;
        auto eps = makeEpsFn(m_impl->activeNetwork(), m_impl->schedule, m_impl->card.prediction, m_impl->device, m_impl->bf16());
        SamplerOptions options{steps, guidance, seed};
        options.channels = m_impl->card.network.inChannels;
        if (m_impl->card.isLatent())
            options.clip = kLatentClip;
        auto samples = sampleDdim(eps, m_impl->schedule, m_impl->card.networkResolution(), classIndex, numClasses(),
                                  count, options, cancelled); // [N,C,r,r]
        if (!samples)
            return makeError(samples.error());
        auto pixels = m_impl->codec.isNull() ? *samples : m_impl->codec.decode(*samples); // [N,3,R,R]
        std::vector<FloatImage> images;
        for (int i = 0; i < count; ++i)
            images.push_back(toFloatImage(pixels[i]));
        return images;
    } catch (const std::exception &e) {
        return makeError(std::string("Generation failed: ") + e.what());
    }
}

double Model::benchmarkNetwork(int batch, int repeats) const
{
    c10::InferenceMode inference;
    const int r = m_impl->card.networkResolution();
    auto x = torch::randn({batch, m_impl->card.network.inChannels, r, r}); // [B,C,r,r]
    auto t = torch::rand({batch});
    auto c = torch::randint(0, numClasses(), {batch}, torch::kInt64);
    const bool bf16 = m_impl->bf16();
    auto forward = [&] {
        if (m_impl->baseline)
            m_impl->baseline->forward(x.to(m_impl->device));
        else
            m_impl->activeNetwork()->forward(x.to(m_impl->device, bf16 ? torch::kBFloat16 : torch::kFloat32),
                                             t.to(m_impl->device), c.to(m_impl->device));
    };
    forward(); // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i)
        forward();
    if (m_impl->device.is_cuda())
        torch::cuda::synchronize();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return double(batch) * repeats / std::max(seconds, 1e-9);
}

Result<void> Model::setNetworkPrecision(NetworkPrecision precision)
{
    if (precision == NetworkPrecision::Float32) {
        m_impl->networkBf16 = nullptr;
        return {};
    }
    if (m_impl->baseline || !m_impl->device.is_cpu())
        return makeError("bfloat16 is offered for a diffusion model's network on the CPU only.");
    try {
        // A copy, so that going back to float32 loses nothing.
        c10::InferenceMode inference;
        UNet copy(m_impl->card.network);
        auto from = m_impl->network->named_parameters();
        for (auto &item : copy->named_parameters())
            item.value().detach().copy_(from[item.key()]);
        auto fromBuffers = m_impl->network->named_buffers();
        for (auto &item : copy->named_buffers())
            item.value().detach().copy_(fromBuffers[item.key()]);
        copy->to(torch::kBFloat16);
        copy->eval();
        m_impl->networkBf16 = copy;
        return {};
    } catch (const std::exception &e) {
        return makeError(std::string("The network cannot run in bfloat16: ") + e.what());
    }
}

NetworkPrecision Model::networkPrecision() const
{
    return m_impl->bf16() ? NetworkPrecision::BFloat16 : NetworkPrecision::Float32;
}

void setThreadCount(int threads)
{
    if (threads > 0)
        torch::set_num_threads(threads);
}

int threadCount() { return torch::get_num_threads(); }

} // namespace cytodiff::engine
