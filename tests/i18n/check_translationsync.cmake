# cmake -DBASH=... -DLUPDATE=... -DSOURCE_DIR=... -DWORK_DIR=... -P check_translationsync.cmake
# Fails when translations/*.ts no longer match the code: it runs
# scripts/update-translations.sh (lupdate -no-obsolete) into WORK_DIR and
# compares the result with the committed files. A new tr() string, an
# edited one or one that is gone all change the result, so a string can
# never reach a release untranslated or leave a stale entry behind.

function(fail what)
  message(FATAL_ERROR "test_translationsync: ${what}")
endfunction()

foreach(var BASH LUPDATE SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    fail("-D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "LUPDATE=${LUPDATE}"
          "${BASH}" "${SOURCE_DIR}/scripts/update-translations.sh" --out "${WORK_DIR}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
  TIMEOUT 60)
if(NOT rc EQUAL 0)
  fail("scripts/update-translations.sh --out failed (${rc}):\n${out}\n${err}")
endif()

set(stale)
file(GLOB committed_files "${SOURCE_DIR}/translations/cytodiff_*.ts")
if(NOT committed_files)
  fail("no translations/cytodiff_*.ts in ${SOURCE_DIR}")
endif()
foreach(committed IN LISTS committed_files)
  get_filename_component(name "${committed}" NAME)
  set(updated "${WORK_DIR}/${name}")
  if(NOT EXISTS "${updated}")
    fail("${name} is not one of the languages scripts/update-translations.sh updates")
  endif()
  file(READ "${committed}" before)
  file(READ "${updated}" after)
  if(NOT before STREQUAL after)
    # Name the messages that differ, so the failure says what to translate.
    string(REGEX MATCHALL "<source>[^<]*</source>" sources_before "${before}")
    string(REGEX MATCHALL "<source>[^<]*</source>" sources_after "${after}")
    set(added ${sources_after})
    set(removed ${sources_before})
    if(sources_before)
      list(REMOVE_ITEM added ${sources_before})
    endif()
    if(sources_after)
      list(REMOVE_ITEM removed ${sources_after})
    endif()
    string(REGEX MATCHALL "type=\"unfinished\"" unfinished "${after}")
    list(LENGTH unfinished n_unfinished)
    list(JOIN added "\n    " added)
    list(JOIN removed "\n    " removed)
    list(APPEND stale "${name}: ${n_unfinished} unfinished after lupdate\n  new in the code:\n    ${added}\n  gone from the code:\n    ${removed}")
  endif()
endforeach()

if(stale)
  list(JOIN stale "\n" stale)
  fail("translations/*.ts do not match the tr() strings of ui/, core/review, core/demo and app/main.cpp.\nRun scripts/update-translations.sh, translate the unfinished entries (linguist translations/cytodiff_de.ts ...) and commit the .ts files.\n${stale}")
endif()
list(LENGTH committed_files n)
message("test_translationsync: ${n} .ts files match the code")
