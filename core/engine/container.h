#pragma once
// The on-disk container shared by model files and packed training data:
//
//   "CYTODIFF"  8-byte magic
//   u32         format version (little endian)
//   u32         content kind length, then the kind ("model", "pack", ...)
//   u64         metadata length, then metadata as "key=value\n" lines
//   u64         payload length, then the payload (a LibTorch archive)
//   32 bytes    SHA-256 of every byte before it
//
// Standard library only: a loader can explain a foreign, truncated,
// corrupted or newer file before LibTorch ever sees the bytes.

#include "result.h"

#include <cstdint>
#include <map>
#include <string>

namespace cytodiff::engine {

constexpr std::uint32_t kContainerVersion = 1;

struct Container {
    std::uint32_t version = kContainerVersion;
    std::string kind;
    std::map<std::string, std::string> metadata;
    std::string payload;
    std::string sha256; // hex digest of the file, filled in by read/write
};

// The file's bytes, checksum included; fills in container.sha256.
std::string serializeContainer(Container &container);
Result<void> writeContainer(const std::string &path, Container &container);
Result<Container> readContainer(const std::string &path, const std::string &expectedKind);
Result<Container> parseContainer(const std::string &bytes, const std::string &expectedKind,
                                 const std::string &sourceName);

// Metadata values are single-line: escape newlines and backslashes.
std::string escapeValue(const std::string &value);
std::string unescapeValue(const std::string &value);
// "key=value" lines (values escaped) back into a map; other lines are skipped.
std::map<std::string, std::string> parseMetadata(const std::string &text);

} // namespace cytodiff::engine
