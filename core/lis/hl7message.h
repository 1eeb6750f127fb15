#pragma once
// HL7 v2 text: the encoding characters of MSH-2 ("^~\&" after the field
// separator "|"), escaping of free text (HL7 v2.5.1 chapter 2, section
// 2.7: \F\ \S\ \T\ \R\ \E\ and \Xhh\ for line breaks), and a segment
// builder that escapes every value it is given. Segments end with a
// carriage return, as the standard says; a message is UTF-8 (MSH-18
// "UNICODE UTF-8").

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace cytodiff::lis {

// Text as it may stand in a field or component: the delimiters and the
// escape character replaced by escape sequences, CR and LF as \X0D\ and
// \X0A\ (a raw line break would end the segment).
QString hl7Escape(const QString &text);
// The reverse (for tests and for reading ACKs); unknown sequences are kept.
QString hl7Unescape(const QString &text);

// One segment. Fields are numbered as in the standard (MSH-1 is the
// separator itself, so for MSH field(3) is the sending application).
// Components are given unescaped, joined with '^' after escaping each.
class Hl7Segment {
public:
    explicit Hl7Segment(const QString &id);
    // Sets field n (1-based) to one component.
    Hl7Segment &field(int n, const QString &value);
    // Sets field n to components (each escaped, joined with '^').
    Hl7Segment &components(int n, const QStringList &values);
    QString text() const;

private:
    Hl7Segment &setRaw(int n, const QString &raw);
    QString m_id;
    QStringList m_fields; // m_fields[0] is field 1 (MSH: field 2 onwards)
};

// Segments joined with carriage returns (one after the last too), UTF-8.
QByteArray hl7Message(const QList<Hl7Segment> &segments);

// A parsed message for tests and tools: segments split at CR, fields at
// '|', values left escaped.
QList<QStringList> hl7Split(const QByteArray &message);

} // namespace cytodiff::lis
