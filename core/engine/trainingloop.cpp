#include <torch/torch.h>

#include "trainingloop.h"

#include "container.h"
#include "mathconstants.h"
#include "numbertext.h"

#include <cmath>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <sstream>

namespace cytodiff::engine {

Result<void> BalancedSampler::init(const TrainingData &data)
{
    m_trainByClass.assign(data.classNames.size(), {});
    std::vector<std::vector<std::int64_t>> validationByClass(data.classNames.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data.splits[i] == Split::Train)
            m_trainByClass[data.labels[i]].push_back(std::int64_t(i));
        else if (data.splits[i] == Split::Validation)
            validationByClass[data.labels[i]].push_back(std::int64_t(i));
    }
    for (std::size_t c = 0; c < m_trainByClass.size(); ++c)
        if (m_trainByClass[c].empty())
            return makeError("Class '" + data.classNames[c] + "' has no training images.");
    m_validation.clear();
    for (std::size_t round = 0;; ++round) {
        bool any = false;
        for (const auto &cls : validationByClass)
            if (round < cls.size()) {
                m_validation.push_back(cls[round]);
                any = true;
            }
        if (!any)
            break;
    }
    return {};
}

void BalancedSampler::draw(int b, at::Generator &generator, std::vector<std::int64_t> &indices,
                           std::vector<std::int64_t> &labels) const
{
    const int classes = int(m_trainByClass.size());
    auto classDraw = torch::randint(0, classes, {b}, generator, torch::kInt64);
    auto cellDraw = torch::rand({b}, generator);
    indices.resize(b);
    labels.resize(b);
    for (int i = 0; i < b; ++i) {
        const auto c = classDraw[i].item<std::int64_t>();
        const auto &pool = m_trainByClass[c];
        indices[i] = pool[std::min<std::size_t>(pool.size() - 1, std::size_t(cellDraw[i].item<double>() * pool.size()))];
        labels[i] = c;
    }
}

Result<void> checkTrainingRequest(const TrainingData &data, const TrainOptions &options)
{
    auto valid = data.validate();
    if (!valid)
        return valid;
    return checkTrainingBudget(options);
}

Result<void> checkTrainingBudget(const TrainOptions &options)
{
    if (options.minutes <= 0 && options.steps <= 0)
        return makeError("Give a training budget: --minutes N or --steps N.");
    if (options.outPath.empty())
        return makeError("Give an output model path (--out).");
    return {};
}

std::pair<double, double> accuracyFromCounts(const std::vector<int> &correct, const std::vector<int> &total)
{
    int allCorrect = 0, allTotal = 0, seen = 0;
    double recall = 0;
    for (std::size_t c = 0; c < total.size(); ++c) {
        allCorrect += correct[c];
        allTotal += total[c];
        if (total[c] > 0) {
            recall += double(correct[c]) / total[c];
            ++seen;
        }
    }
    return {allTotal ? double(allCorrect) / allTotal : -1.0, seen ? recall / seen : -1.0};
}

double budgetFraction(const TrainOptions &options, std::int64_t step, double elapsedSeconds)
{
    double f = 0.0;
    if (options.steps > 0)
        f = std::max(f, double(step) / options.steps);
    if (options.minutes > 0)
        f = std::max(f, elapsedSeconds / (options.minutes * 60.0));
    return std::min(f, 1.0);
}

double scheduledLearningRate(const TrainOptions &options, std::int64_t step, double fraction,
                             std::int64_t restartedAt)
{
    if (step < options.warmupSteps)
        return options.learningRate * double(step + 1) / options.warmupSteps;
    const double cosine = options.learningRate * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(kPi * fraction)));
    if (restartedAt >= 0 && step - restartedAt < options.warmupSteps)
        return cosine * double(step - restartedAt + 1) / options.warmupSteps;
    return cosine;
}

torch::Tensor loadBatch(const torch::Tensor &pixels, const std::vector<std::int64_t> &indices)
{
    return pixels.index_select(0, torch::tensor(indices)).to(torch::kFloat32) / 127.5 - 1.0; // [B,3,R,R]
}

torch::Tensor pixelTensor(const TrainingData &data)
{
    return torch::from_blob(const_cast<std::uint8_t *>(data.pixels.data()),
                            {std::int64_t(data.size()), 3, data.resolution, data.resolution}, torch::kUInt8);
}

std::string isoTimestamp()
{
    std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
}

namespace {

// The archive key of a compact checkpoint's i-th tensor.
std::string tensorKey(std::size_t i)
{
    std::string key = "t";
    key += std::to_string(i);
    return key;
}

// Weights and buffers of a module in a fixed order: parameters, then
// buffers, as named_parameters/named_buffers list them.
std::vector<torch::Tensor> moduleTensors(torch::nn::Module &module)
{
    std::vector<torch::Tensor> tensors;
    for (const auto &p : module.named_parameters(true))
        tensors.push_back(p.value());
    for (const auto &b : module.named_buffers(true))
        tensors.push_back(b.value());
    return tensors;
}

Container positionContainer(const std::string &configKey, const TrainOptions &options, const CheckpointPosition &position)
{
    Container container;
    container.kind = "checkpoint";
    container.metadata["config"] = configKey;
    std::ostringstream rate;
    rate.precision(17);
    rate << options.learningRate;
    container.metadata["learning_rate"] = rate.str();
    container.metadata["batch_size"] = std::to_string(options.batchSize);
    container.metadata["step"] = std::to_string(position.step);
    container.metadata["elapsed"] = fixedText(position.elapsedSeconds, 6);
    if (position.optimiserRestartedAt >= 0)
        container.metadata["optimiser_restarted_at"] = std::to_string(position.optimiserRestartedAt);
    if (position.priorSteps > 0) {
        container.metadata["prior_steps"] = std::to_string(position.priorSteps);
        container.metadata["prior_seconds"] = fixedText(position.priorSeconds, 6);
        container.metadata["prior_command"] = position.priorCommand;
    }
    return container;
}

// The payload is what fill writes plus the batch generator's state.
Result<void> writeCheckpointFile(const std::string &path, Container container, const std::string &what,
                                 const CheckpointParts &parts,
                                 const std::function<void(torch::serialize::OutputArchive &)> &fill)
{
    try {
        torch::serialize::OutputArchive archive;
        fill(archive);
        archive.write("generator", parts.generator->get_state());
        std::ostringstream out;
        archive.save_to(out);
        container.payload = out.str();
    } catch (const std::exception &e) {
        return makeError("Writing the " + what + " failed: " + e.what());
    }
    return writeContainer(path, container);
}

Result<void> saveCompactCheckpoint(const std::string &path, const std::string &configKey, const TrainOptions &options,
                                   const CheckpointPosition &position, const CheckpointParts &parts)
{
    Container container = positionContainer(configKey, options, position);
    container.metadata["compact"] = "float16";
    const auto tensors = moduleTensors(*parts.modules.front().second);
    container.metadata["tensors"] = std::to_string(tensors.size());
    return writeCheckpointFile(path, std::move(container), "compact checkpoint", parts, [&](auto &archive) {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            auto t = tensors[i].detach().to(torch::kCPU);
            archive.write(tensorKey(i), t.is_floating_point() ? t.to(torch::kHalf) : t);
        }
    });
}

// CheckpointPosition::optimiserRestartedAt of a checkpoint at step: a
// compact one restarts the moments where it is; a full one says where they
// last did (checkpoints from before session 29 do not: -1).
std::int64_t optimiserRestartedAtOf(const Container &container, std::int64_t step)
{
    if (container.metadata.count("compact"))
        return step;
    const auto restarted = container.metadata.find("optimiser_restarted_at");
    return restarted == container.metadata.end() ? -1 : std::stoll(restarted->second);
}

// Every module part takes the stored weights, cast back to its own type.
void loadCompactModules(torch::serialize::InputArchive &archive, std::size_t count, const CheckpointParts &parts)
{
    torch::NoGradGuard noGrad;
    for (const auto &[name, module] : parts.modules) {
        auto targets = moduleTensors(*module);
        if (targets.size() != count)
            throw std::runtime_error("it holds " + std::to_string(count) + " tensors where the network has "
                                     + std::to_string(targets.size()));
        for (std::size_t i = 0; i < count; ++i) {
            torch::Tensor stored;
            archive.read(tensorKey(i), stored);
            if (stored.sizes() != targets[i].sizes())
                throw std::runtime_error("tensor " + std::to_string(i) + " has another shape");
            targets[i].copy_(stored.to(targets[i].dtype()));
        }
    }
}

} // namespace

Result<void> saveCheckpoint(const std::string &path, const std::string &configKey, const TrainOptions &options,
                            const CheckpointPosition &position, const CheckpointParts &parts)
{
    if (!options.compactCheckpointPath.empty())
        if (auto compact = saveCompactCheckpoint(options.compactCheckpointPath, configKey, options, position, parts);
            !compact)
            return compact;
    return writeCheckpointFile(path, positionContainer(configKey, options, position), "checkpoint", parts,
                               [&](auto &archive) {
                                   for (const auto &[name, module] : parts.modules) {
                                       torch::serialize::OutputArchive part;
                                       module->save(part);
                                       archive.write(name, part);
                                   }
                                   torch::serialize::OutputArchive optim;
                                   parts.optimizer->save(optim);
                                   archive.write("optim", optim);
                               });
}

Result<CheckpointPosition> loadCheckpoint(const std::string &path, const std::string &configKey,
                                          const CheckpointParts &parts, const torch::Device &device)
{
    auto container = readContainer(path, "checkpoint");
    if (!container)
        return makeError(container.error());
    if (container->metadata["config"] != configKey) {
        return makeError("The checkpoint '" + path + "' was made for another network or other data ("
                         + container->metadata["config"].substr(0, 80) + "...); start without --resume.");
    }
    CheckpointPosition position;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(container->payload.data(), container->payload.size(), device);
        const auto compact = container->metadata.find("compact");
        if (compact != container->metadata.end()) {
            loadCompactModules(archive, std::stoul(container->metadata["tensors"]), parts);
        } else {
            for (const auto &[name, module] : parts.modules) {
                torch::serialize::InputArchive part;
                archive.read(name, part);
                module->load(part);
            }
            torch::serialize::InputArchive optim;
            archive.read("optim", optim);
            parts.optimizer->load(optim);
        }
        torch::Tensor state;
        archive.read("generator", state);
        parts.generator->set_state(state);
        position.step = std::stoll(container->metadata["step"]);
        position.elapsedSeconds = parseWrittenNumber(container->metadata["elapsed"]).value_or(0.0);
        position.optimiserRestartedAt = optimiserRestartedAtOf(*container, position.step);
        if (const auto prior = container->metadata.find("prior_steps"); prior != container->metadata.end()) {
            position.priorSteps = std::stoll(prior->second);
            position.priorSeconds = parseWrittenNumber(container->metadata["prior_seconds"]).value_or(0.0);
            position.priorCommand = container->metadata["prior_command"];
        }
    } catch (const std::exception &e) {
        return makeError("The checkpoint '" + path + "' is damaged: " + std::string(e.what()).substr(0, 200));
    }
    return position;
}

Result<CheckpointInfo> readCheckpointInfo(const std::string &path)
{
    auto container = readContainer(path, "checkpoint");
    if (!container)
        return makeError(container.error());
    CheckpointInfo info;
    // Checkpoints from before the settings were recorded read as 0.
    try {
        info.step = std::stoll(container->metadata["step"]);
        const auto rate = container->metadata.find("learning_rate");
        if (rate != container->metadata.end())
            info.learningRate = parseNumber(rate->second).value_or(0.0);
        const auto elapsed = container->metadata.find("elapsed");
        if (elapsed != container->metadata.end())
            info.elapsedSeconds = parseWrittenNumber(elapsed->second).value_or(0.0);
        const auto batch = container->metadata.find("batch_size");
        if (batch != container->metadata.end())
            info.batchSize = std::stoi(batch->second);
        info.optimiserRestartedAt = optimiserRestartedAtOf(*container, info.step);
    } catch (const std::exception &) {
        return makeError("The checkpoint '" + path + "' is damaged: its position is unreadable.");
    }
    return info;
}

Result<void> runTrainingLoop(const TrainOptions &options, const TrainingSteps &steps, const std::string &checkpointPath,
                             const ProgressFn &progress, const CancelFn &cancelled)
{
    double runningLoss = 0;
    int lossCount = 0;
    double lastReport = steps.elapsed(), lastCheckpoint = lastReport, lastValidation = lastReport;
    while (budgetFraction(options, steps.stepsDone(), steps.elapsed()) < 1.0) {
        if (cancelled && cancelled()) {
            auto saved = steps.checkpoint();
            return makeError("Training cancelled at step " + std::to_string(steps.stepsDone()) + "; "
                             + (saved ? "resume with --resume " + checkpointPath : saved.error()));
        }
        const double lr = steps.learningRate();
        const double loss = steps.step();
        if (!std::isfinite(loss))
            return makeError("Training diverged (loss is not finite) at step " + std::to_string(steps.stepsDone())
                             + "; lower the learning rate.");
        runningLoss += loss;
        ++lossCount;
        const double now = steps.elapsed();
        if (progress && (now - lastReport >= 5.0 || steps.stepsDone() == 1)) {
            TrainProgress p;
            p.step = steps.stepsDone();
            p.totalSteps = options.minutes > 0 ? -1 : options.steps;
            p.elapsedSeconds = now;
            const double f = budgetFraction(options, p.step, now);
            p.etaSeconds = f > 0 ? now * (1 - f) / f : -1;
            p.loss = runningLoss / lossCount;
            p.learningRate = lr;
            progress(p);
            runningLoss = 0;
            lossCount = 0;
            lastReport = now;
        }
        if (now - lastCheckpoint >= options.checkpointEverySeconds) {
            auto saved = steps.checkpoint();
            if (!saved)
                return saved;
            lastCheckpoint = now;
        }
        if ((steps.validate || steps.validationReport) && options.validateEverySeconds > 0
            && now - lastValidation >= options.validateEverySeconds) {
            TrainProgress p;
            if (steps.validationReport) {
                p.message = steps.validationReport();
            } else {
                const auto [accuracy, balanced] = steps.validate();
                p.validationAccuracy = accuracy;
                p.message = "validation accuracy " + std::to_string(accuracy) + " (balanced " + std::to_string(balanced)
                            + ") on " + steps.validationCells;
            }
            p.step = steps.stepsDone();
            p.elapsedSeconds = steps.elapsed();
            if (progress)
                progress(p);
            lastValidation = steps.elapsed();
        }
    }
    return steps.checkpoint();
}

} // namespace cytodiff::engine
