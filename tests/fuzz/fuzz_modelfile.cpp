// libFuzzer target: the model-file loader (container, model card, network
// construction, LibTorch weights) through Model::loadFromBytes.
//
// The container carries a SHA-256 of its bytes, so random files stop at the
// checksum. Half of the inputs are therefore taken apart and re-wrapped
// with a correct checksum, which lets the fuzzer reach the card and weights:
//   byte 0 odd:  u16 metadata length (little endian), metadata text, payload
//   byte 0 even: the rest is a whole model file
#include "container.h"
#include "engine.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>

using namespace cytodiff::engine;

namespace {

std::map<std::string, std::string> parseLines(const std::string &text)
{
    std::map<std::string, std::string> metadata;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const auto equals = line.find('=');
        if (equals != std::string::npos)
            metadata[line.substr(0, equals)] = unescapeValue(line.substr(equals + 1));
    }
    return metadata;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    setThreadCount(1); // one input at a time; thread pools only add noise
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    std::string file;
    if (data[0] & 1) {
        if (size < 3)
            return 0;
        const std::size_t length = std::min<std::size_t>(data[1] | (data[2] << 8), size - 3);
        Container container;
        container.kind = "model";
        container.metadata = parseLines(std::string(reinterpret_cast<const char *>(data) + 3, length));
        container.payload.assign(reinterpret_cast<const char *>(data) + 3 + length, size - 3 - length);
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
