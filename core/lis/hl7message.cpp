#include "hl7message.h"

namespace cytodiff::lis {

QString hl7Escape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\\':
            out += QStringLiteral("\\E\\");
            break;
        case '|':
            out += QStringLiteral("\\F\\");
            break;
        case '^':
            out += QStringLiteral("\\S\\");
            break;
        case '&':
            out += QStringLiteral("\\T\\");
            break;
        case '~':
            out += QStringLiteral("\\R\\");
            break;
        case '\r':
            out += QStringLiteral("\\X0D\\");
            break;
        case '\n':
            out += QStringLiteral("\\X0A\\");
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString hl7Unescape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const qsizetype end = text.at(i) == QLatin1Char('\\') ? text.indexOf(QLatin1Char('\\'), i + 1) : -1;
        if (end < 0) {
            out += text.at(i);
            continue;
        }
        const QString sequence = text.mid(i + 1, end - i - 1);
        if (sequence == QLatin1String("E"))
            out += QLatin1Char('\\');
        else if (sequence == QLatin1String("F"))
            out += QLatin1Char('|');
        else if (sequence == QLatin1String("S"))
            out += QLatin1Char('^');
        else if (sequence == QLatin1String("T"))
            out += QLatin1Char('&');
        else if (sequence == QLatin1String("R"))
            out += QLatin1Char('~');
        else if (sequence.startsWith(QLatin1Char('X')) && sequence.size() > 1 && sequence.size() % 2 == 1) {
            bool ok = true;
            QByteArray bytes;
            for (qsizetype k = 1; k < sequence.size() && ok; k += 2)
                bytes.append(char(sequence.mid(k, 2).toUInt(&ok, 16)));
            if (!ok) {
                out += text.mid(i, end - i + 1);
            } else {
                out += QString::fromUtf8(bytes);
            }
        } else {
            out += text.mid(i, end - i + 1); // not ours: kept as written
        }
        i = end;
    }
    return out;
}

Hl7Segment::Hl7Segment(const QString &id) : m_id(id)
{
    // MSH-1 is the field separator and MSH-2 the encoding characters: the
    // only field that must not be escaped.
    if (m_id == QLatin1String("MSH"))
        m_fields << QStringLiteral("^~\\&");
}

Hl7Segment &Hl7Segment::setRaw(int n, const QString &raw)
{
    // For MSH, field n sits at list index n - 2 (MSH-1 is the separator
    // between "MSH" and MSH-2); elsewhere at n - 1.
    const int index = m_id == QLatin1String("MSH") ? n - 2 : n - 1;
    if (index < 0)
        return *this;
    while (m_fields.size() <= index)
        m_fields << QString();
    m_fields[index] = raw;
    return *this;
}

Hl7Segment &Hl7Segment::field(int n, const QString &value)
{
    return setRaw(n, hl7Escape(value));
}

Hl7Segment &Hl7Segment::components(int n, const QStringList &values)
{
    QStringList escaped;
    for (const QString &value : values)
        escaped << hl7Escape(value);
    while (!escaped.isEmpty() && escaped.last().isEmpty())
        escaped.removeLast();
    return setRaw(n, escaped.join(QLatin1Char('^')));
}

QString Hl7Segment::text() const
{
    return m_id + QLatin1Char('|') + m_fields.join(QLatin1Char('|'));
}

QByteArray hl7Message(const QList<Hl7Segment> &segments)
{
    QByteArray out;
    for (const Hl7Segment &segment : segments)
        out += segment.text().toUtf8() + '\r';
    return out;
}

QList<QStringList> hl7Split(const QByteArray &message)
{
    QList<QStringList> segments;
    for (const QByteArray &line : message.split('\r'))
        if (!line.isEmpty())
            segments << QString::fromUtf8(line).split(QLatin1Char('|'));
    return segments;
}

} // namespace cytodiff::lis
