// libFuzzer target: the model-file loader (container, model card, network
// construction, LibTorch weights) through Model::loadFromBytes.
//
// The container carries a SHA-256 of its bytes, so random files stop at the
// checksum. Half of the inputs are therefore re-wrapped with a correct
// checksum, which lets the fuzzer reach the card and network construction:
//   byte 0 odd:  the rest is the metadata text; the payload is the real
//                weights of the tiny test model
//   byte 0 even: the rest is a whole model file
// Why not a fuzzed payload behind a valid checksum: LibTorch's unpickler
// trusts the lengths inside its archive and reserves what they claim (a
// 4 GB allocation was the first finding), which is LibTorch's code, not
// ours; a damaged file never gets there because the checksum stops it.
#include "container.h"
#include "engine.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace cytodiff::engine;

std::string &realPayload()
{
    static std::string payload;
    return payload;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    setThreadCount(1); // one input at a time; thread pools only add noise
    auto tiny = readContainer(CYTODIFF_TINY_MODEL, "model");
    if (!tiny)
        std::abort(); // the harness itself is broken
    realPayload() = tiny->payload;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    std::string file;
    if (data[0] & 1) {
        Container container;
        container.kind = "model";
        container.metadata = parseMetadata(std::string(reinterpret_cast<const char *>(data) + 1, size - 1));
        container.payload = realPayload();
        file = serializeContainer(container);
    } else {
        file.assign(reinterpret_cast<const char *>(data) + 1, size - 1);
    }
    auto model = Model::loadFromBytes(file, "fuzz.pt");
    if (!model) {
        if (model.error().empty())
            std::abort();
        return 0;
    }
    if (model->numClasses() < 1 || model->card().classNames.empty())
        std::abort();
    return 0;
}
