#pragma once
// One CSV field as every export writes it (RFC 4180), so the CLI's, the
// case report's and the Turing test's files quote alike.
#include <QString>

namespace cytodiff::db {

enum class CsvFormulas {
    // Written exactly as stored: laboratories match identifiers in the LIS.
    Keep,
    // A leading ' before = + - @, for files a person opens in a spreadsheet,
    // which would evaluate such a cell as a formula (CSV injection).
    Escape,
};

// Quoted when it holds a separator, a quote, a line break, or leading or
// trailing space (which spreadsheets and some parsers drop).
QString csvField(const QString &value, CsvFormulas formulas = CsvFormulas::Keep);

// A reader or case id as iMRMC's input format takes it: no commas, blanks
// or semicolons (its separators), and never "-1" or "truth" (its truth
// reader), so the reader study exports stay readable by it.
QString imrmcId(const QString &value);

} // namespace cytodiff::db
