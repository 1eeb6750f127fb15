#pragma once
// Training data as the engine sees it: 8-bit RGB cells already cropped and
// resized, with labels and a fixed train/validation/test split. Can be
// packed into one file so the engine trains where OpenCV and Qt are absent.
// Torch-free.

#include "result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cytodiff::engine {

enum class Split : std::uint8_t { Train = 0, Validation = 1, Test = 2 };

struct TrainingData {
    std::vector<std::string> classNames;
    int resolution = 0;
    int cropSize = 0;
    std::vector<std::uint8_t> pixels; // [N][3][R][R]
    std::vector<int> labels;          // [N], index into classNames
    std::vector<Split> splits;        // [N]
    std::vector<std::string> names;   // [N], source file name (no folders)

    std::size_t size() const { return labels.size(); }
    std::size_t imageBytes() const { return std::size_t(3) * resolution * resolution; }
    // SHA-256 over names, labels and pixels: identifies the data a model saw.
    std::string contentHash() const;
    Result<void> validate() const;
    // The cells with keep[i] set, in their order, with the same classes.
    TrainingData keepCells(const std::vector<bool> &keep) const;
};

Result<void> savePack(const std::string &path, const TrainingData &data);
Result<TrainingData> loadPack(const std::string &path);

// Class-stratified split by a hash of the file name: within each class the
// files sorted by FNV-1a hash go 80% train, 10% validation, 10% test.
std::vector<Split> stratifiedSplit(const std::vector<std::string> &names, const std::vector<int> &labels);
std::uint64_t fnv1a(const std::string &text);

// Keeps only some classes (by name; empty = all), drops one class, and caps
// training cells per class (0 = no cap, chosen by hash so it is stable).
// Labels are renumbered to the kept classes' order.
Result<TrainingData> selectClasses(const TrainingData &data, const std::vector<std::string> &keep,
                                   const std::string &exclude, int perClassTrainCap);

} // namespace cytodiff::engine
