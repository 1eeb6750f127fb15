// libFuzzer target: manifest.csv parsing (CSV records, header matching,
// numeric columns, BOM and separator detection).
#include "manifest.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace cytodiff::importer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    auto manifest = parseManifest(bytes);
    if (manifest) {
        int previousLine = 0;
        for (const ManifestRow &row : manifest->rows) {
            // Rows come in file order with real line numbers and a path.
            if (row.line < 1 || row.line < previousLine || row.imagePath.isEmpty())
                std::abort();
            previousLine = row.line;
        }
    } else if (manifest.error().empty()) {
        std::abort(); // every failure must say why
    }

    // The record splitter alone, with each separator spreadsheets write.
    const QString text = QString::fromUtf8(bytes);
    for (QChar separator : {QChar(u','), QChar(u';'), QChar(u'\t')}) {
        QList<int> lines;
        auto records = parseCsv(text, separator, &lines);
        if (records && lines.size() != records->size())
            std::abort();
    }
    return 0;
}
