#include "mllp.h"

#include "hl7message.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTcpSocket>

namespace cytodiff::lis {
namespace {
constexpr char kStartBlock = 0x0b;
constexpr char kEndBlock = 0x1c;
constexpr char kCarriageReturn = 0x0d;

std::string where(const MllpEndpoint &endpoint)
{
    return endpoint.host.toStdString() + ":" + std::to_string(endpoint.port);
}
} // namespace

Result<MllpEndpoint> parseMllpEndpoint(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    if (colon <= 0 || !ok || port == 0 || port > 65535)
        return makeError("'" + text.toStdString() + "' is not host:port (port 1-65535)");
    MllpEndpoint endpoint;
    endpoint.host = text.left(colon);
    endpoint.port = quint16(port);
    return endpoint;
}

QByteArray mllpFrame(const QByteArray &message)
{
    return kStartBlock + message + kEndBlock + kCarriageReturn;
}

Result<QByteArray> mllpUnframe(const QByteArray &buffer)
{
    const qsizetype start = buffer.indexOf(kStartBlock);
    if (start < 0)
        return makeError(kMllpIncomplete);
    const qsizetype end = buffer.indexOf(QByteArray(1, kEndBlock) + kCarriageReturn, start + 1);
    if (end < 0)
        return makeError(kMllpIncomplete);
    return buffer.mid(start + 1, end - start - 1);
}

QByteArray mllpAck(const QByteArray &message, const QString &code, const QString &text)
{
    const QList<QStringList> segments = hl7Split(message);
    const QStringList msh = segments.isEmpty() ? QStringList() : segments.first();
    Hl7Segment ackMsh(QStringLiteral("MSH"));
    ackMsh.field(3, hl7Unescape(msh.value(4)))
        .field(4, hl7Unescape(msh.value(5)))
        .field(5, hl7Unescape(msh.value(2)))
        .field(6, hl7Unescape(msh.value(3)))
        .field(7, QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddHHmmss")))
        .components(9, {QStringLiteral("ACK"), QStringLiteral("R01"), QStringLiteral("ACK")})
        .field(10, QStringLiteral("ACK") + hl7Unescape(msh.value(9)))
        .field(11, QStringLiteral("P"))
        .field(12, QStringLiteral("2.5.1"));
    Hl7Segment msa(QStringLiteral("MSA"));
    msa.field(1, code).field(2, hl7Unescape(msh.value(9))).field(3, text);
    return hl7Message({ackMsh, msa});
}

Result<void> sendMllp(const MllpEndpoint &endpoint, const QByteArray &message, const QString &controlId)
{
    QTcpSocket socket;
    socket.connectToHost(endpoint.host, endpoint.port);
    if (!socket.waitForConnected(endpoint.connectTimeoutMs))
        return makeError("cannot reach the LIS at " + where(endpoint) + ": " + socket.errorString().toStdString());
    const QByteArray frame = mllpFrame(message);
    if (socket.write(frame) != frame.size() || !socket.waitForBytesWritten(endpoint.ackTimeoutMs))
        return makeError("cannot send to the LIS at " + where(endpoint) + ": " + socket.errorString().toStdString());
    QByteArray buffer;
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        auto ack = mllpUnframe(buffer);
        if (ack) {
            QStringList msa;
            for (const QStringList &segment : hl7Split(*ack))
                if (segment.value(0) == QLatin1String("MSA"))
                    msa = segment;
            if (msa.isEmpty())
                return makeError("the LIS at " + where(endpoint) + " answered without an MSA segment");
            if (hl7Unescape(msa.value(2)) != controlId)
                return makeError("the LIS at " + where(endpoint) + " acknowledged message '" +
                                 hl7Unescape(msa.value(2)).toStdString() + "', not '" + controlId.toStdString() + "'");
            const QString code = msa.value(1);
            if (code == QLatin1String("AA") || code == QLatin1String("CA"))
                return {};
            return makeError("the LIS at " + where(endpoint) + " refused message " + controlId.toStdString() + " (" +
                             code.toStdString() + (msa.value(3).isEmpty() ? "" : ": " + hl7Unescape(msa.value(3)).toStdString()) +
                             ")");
        }
        const qint64 left = endpoint.ackTimeoutMs - clock.elapsed();
        if (left <= 0 || !socket.waitForReadyRead(int(left)))
            return makeError("no acknowledgement from the LIS at " + where(endpoint) + " within " +
                             std::to_string(endpoint.ackTimeoutMs / 1000) + " s: the message stays queued");
        buffer += socket.readAll();
    }
}

} // namespace cytodiff::lis
