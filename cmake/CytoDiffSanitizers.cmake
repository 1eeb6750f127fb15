# Sanitizer and fuzzing flags, applied to every target defined after this
# file is included (all of ours; system libraries are not rebuilt).

if(CYTODIFF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CYTODIFF_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang, or use the 'asan' preset")
  endif()
  set(CYTODIFF_SANITIZE ON CACHE BOOL "" FORCE)
endif()

if(CYTODIFF_SANITIZE)
  # -fno-sanitize-recover: an undefined-behaviour report fails the test
  # instead of scrolling past in its output.
  set(cytodiff_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${cytodiff_sanitize_flags})
  add_link_options(${cytodiff_sanitize_flags})
endif()

if(CYTODIFF_FUZZ)
  # Coverage feedback from all of our code, not only the fuzz entry points;
  # libFuzzer's main() is linked into the fuzz executables alone.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Environment for tests of a sanitizer build; the reasons for each option
# and suppression are in tests/sanitizers/.
set(CYTODIFF_SANITIZER_ENV "")
if(CYTODIFF_SANITIZE)
  set(_sd ${PROJECT_SOURCE_DIR}/tests/sanitizers)
  set(CYTODIFF_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
    "LSAN_OPTIONS=suppressions=${_sd}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=${_sd}/ubsan.supp"
    # Qt Test aborts a test function after 5 minutes; instrumented code runs
    # 2-3 times slower, so its limit grows as ctest's per-test one does.
    "QTEST_FUNCTION_TIMEOUT=900000")
endif()

# clang 14 with libstdc++ 12 cannot compile LibTorch 1.13's headers as
# C++20 (constexpr std::vector<c10::IValue> on an incomplete type); they
# compile as C++17. Only translation units that include torch are built
# that way, and only with clang: GCC builds stay C++20 throughout.
function(cytodiff_torch_target target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set_target_properties(${target} PROPERTIES CXX_STANDARD 17)
  endif()
endfunction()
