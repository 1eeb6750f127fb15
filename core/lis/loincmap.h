#pragma once
// Which LOINC code each differential line is sent under (issue 24). The
// shipped map uses the method-less "/100 leukocytes in Blood" terms
// (the count comes from a reviewed digital morphology, neither an
// automated counter nor a manual microscope count); a laboratory whose LIS
// files the differential under other codes (e.g. "by Manual count")
// replaces them in Settings or with --loinc FILE. Classes without a code
// here are sent under a local code (coding system "L"), never under a
// guessed LOINC code.

#include "result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <optional>

namespace cytodiff::lis {

struct LoincCode {
    QString code;    // e.g. "26511-2"
    QString display; // LOINC long common name
};

class LoincMap {
public:
    static LoincMap defaults();
    // {"neutrophil": {"code": "26511-2", "display": "..."}, ...}; a
    // malformed code (not digits-dash-check digit) is refused.
    static Result<LoincMap> fromJson(const QByteArray &json);
    QByteArray toJson() const;

    std::optional<LoincCode> find(const QString &classId) const;
    void set(const QString &classId, const LoincCode &code) { m_codes.insert(classId, code); }

private:
    QMap<QString, LoincCode> m_codes; // class id -> code
};

} // namespace cytodiff::lis
