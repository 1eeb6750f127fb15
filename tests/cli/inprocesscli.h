#pragma once
// Runs cytodiff-cli commands inside the test process, as
// "cytodiff-cli <name> <args>" would, capturing what they print. One per
// test class: the CLI's output streams are process-wide.

#include "clisupport.h"

#include <QBuffer>
#include <QString>
#include <QStringList>

namespace cytodiff::testing {

struct CliOutput {
    int code = -1;
    QString out;
    QString err;
};

class InProcessCli {
public:
    InProcessCli() = default;
    InProcessCli(const InProcessCli &) = delete;
    InProcessCli &operator=(const InProcessCli &) = delete;
    ~InProcessCli() { cli::redirectOutput(nullptr, nullptr); }

    // Sends the CLI's output to this object's buffers.
    bool start()
    {
        if (!m_out.open(QIODevice::ReadWrite) || !m_err.open(QIODevice::ReadWrite))
            return false;
        cli::redirectOutput(&m_out, &m_err);
        return true;
    }

    CliOutput run(int (*command)(const QStringList &), const QString &name, QStringList args)
    {
        for (QBuffer *buffer : {&m_out, &m_err}) {
            buffer->buffer().clear();
            buffer->seek(0);
        }
        args.prepend(QStringLiteral("cytodiff-cli ") + name);
        CliOutput output;
        output.code = command(args);
        output.out = QString::fromUtf8(m_out.buffer());
        output.err = QString::fromUtf8(m_err.buffer());
        return output;
    }

private:
    QBuffer m_out;
    QBuffer m_err;
};

} // namespace cytodiff::testing
