#include <torch/torch.h>

#include "latentcache.h"

#include "augment.h"
#include "trainingloop.h"

#include <cmath>

namespace cytodiff::engine {
namespace {

// Cells per encoder call here: large enough to keep the convolutions
// efficient, small enough that 8 variants of it stay a few hundred MB.
constexpr std::size_t kEncodeCells = 32;
// Keeps the jitter draws apart from the training run's generator (seeded
// with the same seed), so a resumed run draws what an uninterrupted one did.
constexpr std::uint64_t kJitterSeedOffset = 0x5eed1a7e;

} // namespace

Result<void> checkAutoencoderFits(const AutoencoderCard &card, const std::string &autoencoderPath, int resolution,
                                  int cropSize)
{
    if (card.config.resolution != resolution)
        return makeError("The autoencoder '" + autoencoderPath + "' encodes " + std::to_string(card.config.resolution)
                         + " px cells but the pack holds " + std::to_string(resolution)
                         + " px cells: pack again with --resolution " + std::to_string(card.config.resolution) + ".");
    if (card.cropSize > 0 && card.cropSize != cropSize)
        return makeError("The autoencoder '" + autoencoderPath + "' was trained on " + std::to_string(card.cropSize)
                         + " px crops but the pack holds " + std::to_string(cropSize) + " px crops: pack again with --crop "
                         + std::to_string(card.cropSize) + ".");
    return {};
}

void LatentCache::assignRows(const TrainingData &data, std::vector<std::int64_t> &train,
                             std::vector<std::int64_t> &validation)
{
    m_row.assign(data.size(), -1);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data.splits[i] == Split::Test)
            continue;
        auto &rows = data.splits[i] == Split::Train ? train : validation;
        m_row[i] = std::int64_t(rows.size());
        rows.push_back(std::int64_t(i));
    }
}

Result<void> LatentCache::measureScale()
{
    // Moments of the stored (float16) training latents, in double so 10^8
    // terms keep their precision: what the network trains on has unit
    // spread. Summed per encoder chunk, the order build() always used.
    double sum = 0, sumSquares = 0, count = 0;
    const std::int64_t rows = m_train.defined() ? m_train.size(0) : 0;
    for (std::int64_t start = 0; start < rows; start += std::int64_t(kEncodeCells)) {
        auto stored = m_train.narrow(0, start, std::min<std::int64_t>(kEncodeCells, rows - start)).to(torch::kDouble);
        sum += stored.sum().item<double>();
        sumSquares += stored.pow(2).sum().item<double>();
        count += double(stored.numel());
    }
    if (count == 0)
        return makeError("There are no training cells to encode.");
    const double mean = sum / count;
    const double deviation = std::sqrt(std::max(0.0, sumSquares / count - mean * mean));
    if (!(deviation > 1e-6) || !std::isfinite(deviation))
        return makeError("The autoencoder's latents of the training cells do not vary (std "
                         + std::to_string(deviation) + "); the autoencoder is untrained or damaged.");
    m_scale = 1.0 / deviation;
    return {};
}

Result<void> LatentCache::build(const TrainingData &data, LatentCodec &codec, int variants, bool jitter,
                                std::uint64_t seed, const ProgressFn &progress, const CancelFn &cancelled)
{
    if (variants < 1 || variants > 8)
        return makeError("The number of latent variants must be between 1 and 8 (the dihedral group's size).");
    m_variants = variants;
    m_batchDihedral = false;
    std::vector<std::int64_t> train, validation;
    assignRows(data, train, validation);
    const auto pixels = pixelTensor(data);
    auto generator = at::detail::createCPUGenerator(seed ^ kJitterSeedOffset);
    const std::int64_t total = std::int64_t(train.size()) * variants + std::int64_t(validation.size());
    std::int64_t done = 0;

    // Encodes the cells of one split, each as `copies` variants.
    auto encodeSplit = [&](const std::vector<std::int64_t> &cells, int copies, bool training) -> Result<torch::Tensor> {
        std::vector<torch::Tensor> chunks;
        for (std::size_t start = 0; start < cells.size(); start += kEncodeCells) {
            if (cancelled && cancelled())
                return makeError("Cancelled while encoding the training cells; nothing was trained yet.");
            const std::vector<std::int64_t> chunk(cells.begin() + start,
                                                  cells.begin() + std::min(cells.size(), start + kEncodeCells));
            auto x = loadBatch(pixels, chunk); // [b, 3, R, R]
            std::vector<torch::Tensor> perVariant;
            for (int k = 0; k < copies; ++k) {
                auto variant = dihedralVariant(x, k); // [b, 3, R, R]
                if (training && jitter)
                    variant = jitterColours(variant, generator);
                perVariant.push_back(codec.encode(variant) / codec.scale()); // [b, L, r, r], unscaled
                done += std::int64_t(chunk.size());
                if (progress)
                    progress(done, total);
            }
            chunks.push_back(torch::stack(perVariant, 1).to(torch::kHalf)); // [b, V, L, r, r]
        }
        if (chunks.empty())
            return torch::Tensor();
        return torch::cat(chunks); // [N, V, L, r, r]
    };

    auto trainLatents = encodeSplit(train, variants, true);
    if (!trainLatents)
        return makeError(trainLatents.error());
    auto validationLatents = encodeSplit(validation, 1, false);
    if (!validationLatents)
        return makeError(validationLatents.error());
    m_train = *trainLatents;
    m_validation = validationLatents->defined() ? validationLatents->select(1, 0) : torch::Tensor(); // [N, L, r, r]
    return measureScale();
}

Result<void> LatentCache::adopt(StoredLatents &stored, bool augment)
{
    const auto &cells = stored.header.cells;
    std::vector<std::int64_t> train, validation;
    assignRows(cells, train, validation);
    if (!stored.train.defined() || stored.train.dim() != 5 || stored.train.size(0) != std::int64_t(train.size())
        || (stored.validation.defined() ? stored.validation.size(0) : 0) != std::int64_t(validation.size()))
        return makeError("The latent pack's latents do not match its cell list; encode the pack again.");
    // Without augmentation a run trains on the plain cell: variant 0 is the
    // identity of the dihedral group (jittered if the pack was).
    m_train = augment ? std::move(stored.train) : stored.train.narrow(1, 0, 1).contiguous();
    m_validation = std::move(stored.validation);
    m_variants = int(m_train.size(1));
    m_batchDihedral = augment && m_variants == 1;
    return measureScale();
}

torch::Tensor LatentCache::trainingBatch(const std::vector<std::int64_t> &indices, at::Generator &gen) const
{
    auto variant = torch::randint(0, m_variants, {std::int64_t(indices.size())}, gen, torch::kInt64); // [B]
    std::vector<torch::Tensor> cells;
    for (std::size_t i = 0; i < indices.size(); ++i)
        cells.push_back(m_train[m_row[indices[i]]][variant[std::int64_t(i)].item<std::int64_t>()]); // [L, r, r]
    auto batch = torch::stack(cells).to(torch::kFloat32) * m_scale;                         // [B, L, r, r]
    if (!m_batchDihedral)
        return batch;
    // One stored variant (a latent pack): a random flip or quarter turn of
    // the latent itself. For a convolutional autoencoder trained with the
    // dihedral group as augmentation, encode(D x) ~ D encode(x) (the 4x
    // downsampling grid and learned, non-symmetric kernels make it an
    // approximation, not an identity), so this stands in for the 8 encoded
    // variants at no encoder cost.
    auto turn = torch::randint(0, 8, {batch.size(0)}, gen, torch::kInt64); // [B]
    std::vector<torch::Tensor> turned;
    for (std::int64_t i = 0; i < batch.size(0); ++i)
        turned.push_back(dihedralVariant(batch[i], int(turn[i].item<std::int64_t>()))); // [L, r, r]
    return torch::stack(turned);                                                          // [B, L, r, r]
}

torch::Tensor LatentCache::validationBatch(const std::vector<std::int64_t> &indices) const
{
    std::vector<torch::Tensor> cells;
    for (auto index : indices)
        cells.push_back(m_validation[m_row[index]]); // [L, r, r]
    return torch::stack(cells).to(torch::kFloat32) * m_scale; // [B, L, r, r]
}

} // namespace cytodiff::engine
