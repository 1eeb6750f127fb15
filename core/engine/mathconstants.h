#pragma once
// std::numbers is C++20; the engine also builds as C++17 (clang 14 cannot
// compile LibTorch 1.13's headers as C++20, see cmake/CytoDiffSanitizers.cmake).

namespace cytodiff::engine {

inline constexpr double kPi = 3.14159265358979323846;

} // namespace cytodiff::engine
