#pragma once
// Stream-style printing through printOut/printErr (so tests can capture
// it): the text of one statement is sent when the temporary dies.
//   err() << "skipped " << path << "\n";

#include "clisupport.h"

#include <QString>
#include <QTextStream>

namespace cytodiff::cli {

class LineStream {
public:
    explicit LineStream(bool toError) : m_toError(toError) {}
    LineStream(const LineStream &) = delete;
    LineStream &operator=(const LineStream &) = delete;
    ~LineStream()
    {
        m_stream.flush();
        if (!m_text.isEmpty())
            m_toError ? printErr(m_text) : printOut(m_text);
    }

    template <typename T>
    LineStream &operator<<(const T &value)
    {
        m_stream << value;
        return *this;
    }

private:
    bool m_toError;
    QString m_text;
    QTextStream m_stream{&m_text};
};

inline LineStream out() { return LineStream(false); }
inline LineStream err() { return LineStream(true); }

} // namespace cytodiff::cli
