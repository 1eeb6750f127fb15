# cmake -DCPACK=... -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DVERSION=...
#       -DICON_SIZES="16;22;..." -P check_debpackage.cmake
# Runs `cpack -G DEB` on the build folder, then checks the package's file
# list, its control fields and that the packaged executables start.

function(fail what)
  message(FATAL_ERROR "test_debpackage: ${what}")
endfunction()

foreach(var CPACK BUILD_DIR SOURCE_DIR WORK_DIR VERSION ICON_SIZES)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    fail("-D${var}=... is required")
  endif()
endforeach()

find_program(DPKG_DEB dpkg-deb)
if(NOT DPKG_DEB OR NOT EXISTS "${CPACK}")
  # The SKIP_REGULAR_EXPRESSION of the test turns this into "skipped".
  message("SKIPPED: cpack (${CPACK}) or dpkg-deb not found; install cmake and "
          "dpkg (scripts/install-deps.sh) to build and check the package")
  return()
endif()

# --- Build the package -------------------------------------------------------------
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(
  COMMAND "${CPACK}" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}"
  WORKING_DIRECTORY "${BUILD_DIR}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
  TIMEOUT 100)
if(NOT rc EQUAL 0)
  fail("cpack -G DEB failed (${rc}); is the build complete?\n${out}\n${err}")
endif()
file(GLOB debs "${WORK_DIR}/cytodiff_*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  fail("expected one cytodiff_*.deb in ${WORK_DIR}, found ${n}\n${out}")
endif()
set(deb "${debs}")
get_filename_component(deb_name "${deb}" NAME)
if(NOT deb_name MATCHES "^cytodiff_${VERSION}-[0-9]+_[a-z0-9]+\\.deb$")
  fail("unexpected package file name ${deb_name}")
endif()

# --- File list ------------------------------------------------------------------------
execute_process(COMMAND "${DPKG_DEB}" -c "${deb}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("dpkg-deb -c failed: ${err}")
endif()

set(expected
  usr/bin/cytodiff
  usr/bin/cytodiff-cli
  usr/bin/cytodiff-worker
  usr/lib/systemd/system/cytodiff-worker@.service
  usr/share/doc/cytodiff/deployment.md
  usr/share/applications/cytodiff.desktop
  usr/share/icons/hicolor/scalable/apps/cytodiff.svg
  usr/share/metainfo/org.cytodiff.CytoDiff.metainfo.xml
  usr/share/doc/cytodiff/copyright)
foreach(size IN LISTS ICON_SIZES)
  list(APPEND expected usr/share/icons/hicolor/${size}x${size}/apps/cytodiff.png)
endforeach()
# Whatever model files the checkout holds must be shipped; a checkout
# without them packages without them.
file(GLOB models "${SOURCE_DIR}/models/*.pt" "${SOURCE_DIR}/models/README.md")
foreach(model IN LISTS models)
  get_filename_component(name "${model}" NAME)
  list(APPEND expected usr/share/cytodiff/models/${name})
endforeach()

# Every committed translation, compiled (resources/CMakeLists.txt).
file(GLOB ts_files "${SOURCE_DIR}/translations/cytodiff_*.ts")
foreach(ts IN LISTS ts_files)
  get_filename_component(name "${ts}" NAME_WE)
  list(APPEND expected usr/share/cytodiff/translations/${name}.qm)
endforeach()

set(missing)
foreach(path IN LISTS expected)
  string(REPLACE "." "\\." pattern "${path}")
  if(NOT listing MATCHES " \\./${pattern}\n")
    list(APPEND missing ${path})
  endif()
endforeach()
if(missing)
  list(JOIN missing "\n  " missing)
  fail("missing from ${deb_name} (models need a re-run of CMake to be picked up):\n  ${missing}\n"
       "dpkg-deb -c:\n${listing}")
endif()
foreach(exe cytodiff cytodiff-cli)
  if(NOT listing MATCHES "-rwxr-xr-x [^\n]* \\./usr/bin/${exe}\n")
    fail("usr/bin/${exe} is not installed executable")
  endif()
endforeach()
if(listing MATCHES " \\./usr/local/| \\./(home|work|tmp)/")
  fail("files outside /usr:\n${listing}")
endif()

# --- Control fields ---------------------------------------------------------------------
execute_process(COMMAND "${DPKG_DEB}" -f "${deb}" Package Version Section Maintainer Depends
  OUTPUT_VARIABLE control)
foreach(field "Package: cytodiff\n" "Version: ${VERSION}-" "Section: science\n" "Maintainer: ")
  string(FIND "${control}" "${field}" at)
  if(at EQUAL -1)
    fail("control field '${field}' missing:\n${control}")
  endif()
endforeach()
foreach(dep libqt6widgets6 libqt6svg6 qt6-qpa-plugins libqcustomplot2.1-qt6 libtorch1.13
            libopencv-imgcodecs406 libsqlite3-0 libpq5)
  if(NOT control MATCHES "Depends:[^\n]*[ ,]${dep}[ ,(\n]")
    fail("Depends lacks ${dep}:\n${control}")
  endif()
endforeach()

# --- The packaged executables start -------------------------------------------------
# (stripped, with no RPATH into the build tree)
set(root "${WORK_DIR}/root")
execute_process(COMMAND "${DPKG_DEB}" -x "${deb}" "${root}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  fail("dpkg-deb -x failed")
endif()
foreach(exe cytodiff cytodiff-cli)
  execute_process(COMMAND "${root}/usr/bin/${exe}" --version
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "${VERSION}")
    fail("packaged ${exe} --version failed (${rc}): ${out}${err}")
  endif()
endforeach()

find_program(APPSTREAMCLI appstreamcli)
if(APPSTREAMCLI)
  execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net
      "${root}/usr/share/metainfo/org.cytodiff.CytoDiff.metainfo.xml"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("appstreamcli validate: ${out}${err}")
  endif()
endif()

file(SIZE "${deb}" bytes)
math(EXPR kib "${bytes} / 1024")
string(REGEX MATCHALL "\n" lines "${listing}")
list(LENGTH lines entries)
message("test_debpackage: ${deb_name}, ${kib} KiB, ${entries} entries; all checks passed")
