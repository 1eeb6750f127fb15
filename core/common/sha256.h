#pragma once
// SHA-256 (FIPS 180-4) with no dependency, so the Torch-only engine can
// verify model files on a machine that has neither Qt nor OpenSSL.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cytodiff {

class Sha256 {
public:
    Sha256();
    void update(const void *data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    std::array<std::uint8_t, 32> finish();
    std::string finishHex();

    static std::string hex(std::string_view bytes);

private:
    void compress(const std::uint8_t *block);

    std::array<std::uint32_t, 8> m_state{};
    std::array<std::uint8_t, 64> m_buffer{};
    std::size_t m_bufferSize = 0;
    std::uint64_t m_totalBytes = 0;
};

} // namespace cytodiff
