#include "container.h"

#include "sha256.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace cytodiff::engine {
namespace {

constexpr char kMagic[8] = {'C', 'Y', 'T', 'O', 'D', 'I', 'F', 'F'};
constexpr std::size_t kDigestSize = 32;

template <typename T>
void appendLittleEndian(std::string &out, T value)
{
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(char((std::uint64_t(value) >> (8 * i)) & 0xff));
}

template <typename T>
bool readLittleEndian(const std::string &in, std::size_t &offset, T &value)
{
    if (offset + sizeof(T) > in.size())
        return false;
    std::uint64_t result = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        result |= std::uint64_t(static_cast<unsigned char>(in[offset + i])) << (8 * i);
    value = T(result);
    offset += sizeof(T);
    return true;
}

bool readBlock(const std::string &in, std::size_t &offset, std::uint64_t length, std::string &out)
{
    if (length > in.size() || offset + length > in.size())
        return false;
    out.assign(in, offset, length);
    offset += length;
    return true;
}

std::string serializeMetadata(const std::map<std::string, std::string> &metadata)
{
    std::string text;
    for (const auto &[key, value] : metadata)
        text += key + "=" + escapeValue(value) + "\n";
    return text;
}

} // namespace

std::string escapeValue(const std::string &value)
{
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

std::string unescapeValue(const std::string &value)
{
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            out.push_back(value[i + 1] == 'n' ? '\n' : value[i + 1]);
            ++i;
        } else {
            out.push_back(value[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parseMetadata(const std::string &text)
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

std::string serializeContainer(Container &container)
{
    std::string bytes(kMagic, sizeof(kMagic));
    appendLittleEndian<std::uint32_t>(bytes, container.version);
    appendLittleEndian<std::uint32_t>(bytes, std::uint32_t(container.kind.size()));
    bytes += container.kind;
    const std::string metadata = serializeMetadata(container.metadata);
    appendLittleEndian<std::uint64_t>(bytes, metadata.size());
    bytes += metadata;
    appendLittleEndian<std::uint64_t>(bytes, container.payload.size());
    bytes += container.payload;

    Sha256 hash;
    hash.update(bytes);
    const auto digest = hash.finish();
    bytes.append(reinterpret_cast<const char *>(digest.data()), digest.size());
    // The recorded SHA-256 is that of the whole file, as sha256sum prints it.
    Sha256 whole;
    whole.update(bytes);
    container.sha256 = whole.finishHex();
    return bytes;
}

Result<void> writeContainer(const std::string &path, Container &container)
{
    const std::string bytes = serializeContainer(container);

    // Write to a temporary file and rename, so an interrupted save never
    // leaves a half-written model where a good one was.
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            return makeError("Cannot write '" + path + "': the folder does not exist or is not writable.");
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out)
            return makeError("Writing '" + path + "' failed (disk full?).");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
        return makeError("Cannot replace '" + path + "'.");
    return {};
}

Result<Container> parseContainer(const std::string &bytes, const std::string &expectedKind,
                                 const std::string &sourceName)
{
    if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        return makeError("'" + sourceName + "' is not a CytoDiff " + expectedKind + " file.");
    Container container;
    std::size_t offset = sizeof(kMagic);
    const std::string truncated = "'" + sourceName + "' is truncated (incomplete download or copy?); "
                                  "copy the file again.";
    if (!readLittleEndian(bytes, offset, container.version))
        return makeError(truncated);
    if (container.version > kContainerVersion) {
        return makeError("'" + sourceName + "' was written by a newer CytoDiff (file format "
                         + std::to_string(container.version) + ", this version reads up to "
                         + std::to_string(kContainerVersion) + "). Update CytoDiff to use it.");
    }
    std::uint32_t kindLength = 0;
    std::uint64_t metadataLength = 0, payloadLength = 0;
    std::string metadata;
    if (!readLittleEndian(bytes, offset, kindLength) || !readBlock(bytes, offset, kindLength, container.kind)
        || !readLittleEndian(bytes, offset, metadataLength) || !readBlock(bytes, offset, metadataLength, metadata)
        || !readLittleEndian(bytes, offset, payloadLength) || !readBlock(bytes, offset, payloadLength, container.payload)
        || offset + kDigestSize > bytes.size()) {
        return makeError(truncated);
    }
    if (offset + kDigestSize != bytes.size())
        return makeError("'" + sourceName + "' has unexpected bytes after its end; it is damaged.");

    Sha256 hash;
    hash.update(bytes.data(), offset);
    const auto digest = hash.finish();
    if (std::memcmp(digest.data(), bytes.data() + offset, kDigestSize) != 0)
        return makeError("'" + sourceName + "' is corrupted: its SHA-256 checksum does not match.");
    if (container.kind != expectedKind) {
        const bool vowel = !expectedKind.empty() && std::strchr("aeiou", expectedKind[0]);
        return makeError("'" + sourceName + "' is a CytoDiff " + container.kind + " file, not " + (vowel ? "an " : "a ")
                         + expectedKind + " file.");
    }
    container.metadata = parseMetadata(metadata);
    Sha256 whole;
    whole.update(bytes);
    container.sha256 = whole.finishHex();
    return container;
}

Result<Container> readContainer(const std::string &path, const std::string &expectedKind)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("Cannot open '" + path + "': no such file or no permission.");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parseContainer(buffer.str(), expectedKind, path);
}

} // namespace cytodiff::engine
