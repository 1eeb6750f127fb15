#pragma once
// MLLP (HL7's minimal lower layer protocol over TCP): a message is framed
// as <VT> message <FS><CR>; the receiver answers each with an ACK whose MSA
// segment accepts (AA, CA) or rejects (AE, AR, CE, CR) the message named
// by its control id (MSA-2). Blocking, with timeouts: run it off the GUI
// thread.

#include "result.h"

#include <QByteArray>
#include <QString>

namespace cytodiff::lis {

struct MllpEndpoint {
    QString host;
    quint16 port = 0;
    int connectTimeoutMs = 5000;
    int ackTimeoutMs = 10000;
};

// "host:port" (port 1-65535).
Result<MllpEndpoint> parseMllpEndpoint(const QString &text);

QByteArray mllpFrame(const QByteArray &message);
// The message inside the first complete frame of buffer; nullopt-like
// error "incomplete" while the end block has not arrived.
Result<QByteArray> mllpUnframe(const QByteArray &buffer);
inline constexpr const char *kMllpIncomplete = "incomplete MLLP frame";

// An ACK for a received message (receivers and tests): MSH + MSA-1 code,
// MSA-2 the control id.
QByteArray mllpAck(const QByteArray &message, const QString &code, const QString &text = {});

// Sends one message and waits for its ACK; an error says whether the host
// was unreachable, timed out or rejected it (with its MSA-3 text).
Result<void> sendMllp(const MllpEndpoint &endpoint, const QByteArray &message, const QString &controlId);

} // namespace cytodiff::lis
