// The engine's SHA-256 (model files, packs, cell seeds on machines without
// Qt) against the FIPS 180-4 examples (NIST's "SHA256.pdf" and the
// long-message vector of the Secure Hash Standard validation).
#include "sha256.h"

#include <QTest>

#include <string>

using cytodiff::Sha256;

namespace {
std::string digestOf(std::string_view message)
{
    Sha256 hash;
    hash.update(message);
    return hash.finishHex();
}
} // namespace

class TestSha256 : public QObject {
    Q_OBJECT
private slots:
    void fipsVectors_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("digest");
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // 448 bits: the padding needs a second block.
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        QTest::newRow("896 bits")
            << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
                          "qrsmnopqrstnopqrstu")
            << QByteArray("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
        QTest::newRow("a million a") << QByteArray(1000000, 'a')
                                     << QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    void fipsVectors()
    {
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, digest);
        QCOMPARE(QByteArray::fromStdString(digestOf(std::string_view(message.constData(), std::size_t(message.size())))),
                 digest);
    }

    void chunkedUpdatesGiveTheSameDigest()
    {
        // Updates that straddle the 64-byte blocks in every way.
        std::string message;
        for (int i = 0; i < 1000; ++i)
            message.push_back(char('a' + i % 26));
        const std::string whole = digestOf(message);
        for (std::size_t chunk : {1u, 7u, 63u, 64u, 65u, 333u}) {
            Sha256 hash;
            for (std::size_t at = 0; at < message.size(); at += chunk)
                hash.update(std::string_view(message).substr(at, chunk));
            QCOMPARE(hash.finishHex(), whole);
        }
    }
};

QTEST_APPLESS_MAIN(TestSha256)
#include "test_sha256.moc"
