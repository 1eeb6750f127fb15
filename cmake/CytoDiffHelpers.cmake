# Shared build helpers. One place that decides warnings and test registration.

# Warnings for every target of ours; third-party headers are SYSTEM includes.
function(cytodiff_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# cytodiff_add_test(NAME <name> SOURCES <files...> LIBS <libs...>
#                   [LABELS <labels...>] [TIMEOUT <seconds>] [QT])
# One executable per unit under test; QT adds Qt Test and runs offscreen.
function(cytodiff_add_test)
  cmake_parse_arguments(T "QT" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS})
  if(T_QT)
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test)
  endif()
  target_compile_definitions(${T_NAME} PRIVATE
    CYTODIFF_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CYTODIFF_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  cytodiff_set_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(CYTODIFF_SANITIZE)
    # Instrumented code runs 2-3x slower; the limits guard against hangs.
    math(EXPR T_TIMEOUT "${T_TIMEOUT} * 3")
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_NUM_THREADS=1;${CYTODIFF_SANITIZER_ENV}")
endfunction()
