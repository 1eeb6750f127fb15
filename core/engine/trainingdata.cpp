#include <torch/torch.h>

#include "trainingdata.h"

#include "container.h"
#include "modelio.h"
#include "sha256.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>

namespace cytodiff::engine {

std::uint64_t fnv1a(const std::string &text)
{
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string TrainingData::contentHash() const
{
    Sha256 hash;
    for (std::size_t i = 0; i < size(); ++i) {
        hash.update(names[i]);
        hash.update(classNames[labels[i]]);
    }
    hash.update(pixels.data(), pixels.size());
    return hash.finishHex();
}

Result<void> TrainingData::validate() const
{
    if (classNames.empty())
        return makeError("The training data has no classes.");
    if (resolution < 8)
        return makeError("The training data's resolution is invalid.");
    if (splits.size() != size() || names.size() != size() || pixels.size() != size() * imageBytes())
        return makeError("The training data is inconsistent (counts of images, labels and names differ).");
    for (int label : labels)
        if (label < 0 || label >= int(classNames.size()))
            return makeError("The training data has a label outside its class list.");
    return {};
}

std::vector<Split> stratifiedSplit(const std::vector<std::string> &names, const std::vector<int> &labels)
{
    std::map<int, std::vector<std::size_t>> byClass;
    for (std::size_t i = 0; i < labels.size(); ++i)
        byClass[labels[i]].push_back(i);
    std::vector<Split> splits(labels.size(), Split::Train);
    for (auto &[label, indices] : byClass) {
        std::sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
            const auto ha = fnv1a(names[a]), hb = fnv1a(names[b]);
            return ha != hb ? ha < hb : names[a] < names[b];
        });
        const std::size_t n = indices.size();
        const std::size_t trainEnd = n * 8 / 10, validationEnd = n * 9 / 10;
        for (std::size_t j = 0; j < n; ++j)
            splits[indices[j]] = j < trainEnd ? Split::Train : (j < validationEnd ? Split::Validation : Split::Test);
    }
    return splits;
}

Result<TrainingData> selectClasses(const TrainingData &data, const std::vector<std::string> &keep,
                                   const std::string &exclude, int perClassTrainCap)
{
    std::vector<std::string> kept;
    for (const auto &name : keep.empty() ? data.classNames : keep) {
        if (std::find(data.classNames.begin(), data.classNames.end(), name) == data.classNames.end())
            return makeError("The training data has no class '" + name + "'.");
        if (name != exclude)
            kept.push_back(name);
    }
    if (!exclude.empty() && std::find(data.classNames.begin(), data.classNames.end(), exclude) == data.classNames.end())
        return makeError("Cannot exclude '" + exclude + "': the training data has no such class.");
    if (kept.size() < 2)
        return makeError("Training needs at least two classes.");

    std::vector<int> remap(data.classNames.size(), -1);
    for (std::size_t k = 0; k < kept.size(); ++k)
        remap[std::find(data.classNames.begin(), data.classNames.end(), kept[k]) - data.classNames.begin()] = int(k);

    // Per-class cap on training cells, picked by name hash so repeated runs
    // with the same cap see the same cells.
    std::vector<std::size_t> order(data.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return fnv1a(data.names[a] + "#cap") < fnv1a(data.names[b] + "#cap");
    });
    std::vector<int> trainTaken(kept.size(), 0);
    std::vector<bool> take(data.size(), false);
    for (std::size_t i : order) {
        const int label = remap[data.labels[i]];
        if (label < 0)
            continue;
        if (data.splits[i] == Split::Train && perClassTrainCap > 0 && trainTaken[label] >= perClassTrainCap)
            continue;
        if (data.splits[i] == Split::Train)
            ++trainTaken[label];
        take[i] = true;
    }

    TrainingData out = data.keepCells(take);
    out.classNames = kept;
    for (int &label : out.labels)
        label = remap[std::size_t(label)];
    return out;
}

TrainingData TrainingData::keepCells(const std::vector<bool> &keep) const
{
    TrainingData out;
    out.classNames = classNames;
    out.resolution = resolution;
    out.cropSize = cropSize;
    const std::size_t bytes = imageBytes();
    for (std::size_t i = 0; i < size(); ++i) {
        if (!keep[i])
            continue;
        out.labels.push_back(labels[i]);
        out.splits.push_back(splits[i]);
        out.names.push_back(names[i]);
        out.pixels.insert(out.pixels.end(), pixels.begin() + std::ptrdiff_t(i * bytes),
                          pixels.begin() + std::ptrdiff_t((i + 1) * bytes));
    }
    return out;
}

Result<void> savePack(const std::string &path, const TrainingData &data)
{
    auto valid = data.validate();
    if (!valid)
        return valid;
    Container container;
    container.kind = "pack";
    std::string classes, names;
    for (const auto &c : data.classNames)
        classes += c + "\t";
    for (const auto &n : data.names)
        names += n + "\t";
    container.metadata["classes"] = classes;
    container.metadata["names"] = names;
    container.metadata["resolution"] = std::to_string(data.resolution);
    container.metadata["crop_size"] = std::to_string(data.cropSize);
    container.metadata["count"] = std::to_string(data.size());
    try {
        const auto n = std::int64_t(data.size());
        torch::serialize::OutputArchive archive;
        archive.write("pixels", torch::from_blob(const_cast<std::uint8_t *>(data.pixels.data()),
                                                 {n, 3, data.resolution, data.resolution}, torch::kUInt8));
        std::vector<std::int64_t> labels(data.labels.begin(), data.labels.end());
        std::vector<std::int64_t> splits;
        for (auto s : data.splits)
            splits.push_back(std::int64_t(s));
        archive.write("labels", torch::tensor(labels));
        archive.write("splits", torch::tensor(splits));
        std::ostringstream out;
        archive.save_to(out);
        container.payload = out.str();
    } catch (const std::exception &e) {
        return makeError(std::string("Packing the training data failed: ") + e.what());
    }
    return writeContainer(path, container);
}

Result<TrainingData> loadPack(const std::string &path)
{
    auto container = readContainer(path, "pack");
    if (!container)
        return makeError(container.error());
    TrainingData data;
    auto split = [](const std::string &text) {
        std::vector<std::string> parts;
        std::string part;
        std::istringstream in(text);
        while (std::getline(in, part, '\t'))
            if (!part.empty())
                parts.push_back(part);
        return parts;
    };
    data.classNames = split(container->metadata["classes"]);
    data.names = split(container->metadata["names"]);
    try {
        data.resolution = std::stoi(container->metadata["resolution"]);
        data.cropSize = std::stoi(container->metadata["crop_size"]);
        torch::serialize::InputArchive archive;
        archive.load_from(container->payload.data(), container->payload.size());
        torch::Tensor pixels, labels, splits;
        archive.read("pixels", pixels);
        archive.read("labels", labels);
        archive.read("splits", splits);
        pixels = pixels.contiguous();
        data.pixels.assign(pixels.data_ptr<std::uint8_t>(), pixels.data_ptr<std::uint8_t>() + pixels.numel());
        labels = labels.contiguous();
        splits = splits.contiguous();
        for (int64_t i = 0; i < labels.numel(); ++i) {
            data.labels.push_back(int(labels.data_ptr<int64_t>()[i]));
            data.splits.push_back(Split(splits.data_ptr<int64_t>()[i]));
        }
    } catch (const std::exception &e) {
        return makeError("'" + path + "' is a damaged training pack: " + std::string(e.what()).substr(0, 200));
    }
    auto valid = data.validate();
    if (!valid)
        return makeError("'" + path + "': " + valid.error());
    return data;
}

} // namespace cytodiff::engine
