// Numbers in files in the C notation whatever the locale: the parser and
// writers, and model cards written and read on a German workstation (Qt
// applications take LC_NUMERIC from the environment; std::stod read the
// shipped card's latent scale "0.9..." as 0 and refused the model).
#include "engine.h"
#include "numbertext.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <clocale>
#include <cmath>
#include <cstdio>
#include <string>

using namespace cytodiff;

namespace {
const std::string kTinyModel = CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt";
const std::string kShippedModel = CYTODIFF_SOURCE_DIR "/models/cytodiff-v2-pbc8.pt";

std::string printfHalf()
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.1f", 0.5);
    return buffer;
}
} // namespace

class TestNumberText : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_locales;

    // LC_NUMERIC of a German workstation. A fresh Debian machine has the
    // locale sources (package locales) but compiles only C.UTF-8, so the
    // locale is compiled into a temporary folder (glibc reads LOCPATH).
    bool useGermanNumbers()
    {
        if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8"))
            return true;
        QProcess localedef;
        localedef.start(QStringLiteral("localedef"), {QStringLiteral("-i"), QStringLiteral("de_DE"), QStringLiteral("-f"),
                                                      QStringLiteral("UTF-8"), m_locales.filePath(QStringLiteral("de_DE.UTF-8"))});
        localedef.waitForFinished(120000);
        qputenv("LOCPATH", m_locales.path().toLocal8Bit());
        return std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
    }

private slots:
    // The application object took LC_NUMERIC from the environment.
    void init() { std::setlocale(LC_NUMERIC, "C"); }
    void cleanup() { std::setlocale(LC_NUMERIC, "C"); }

    void readsTheCNotationOnly()
    {
        QCOMPARE(parseNumber("0.05").value_or(-1), 0.05);
        QCOMPARE(parseNumber(" 1e-5\n").value_or(-1), 1e-5);
        QCOMPARE(parseNumber("+2").value_or(-1), 2.0);
        QCOMPARE(parseNumber("-3.5").value_or(0), -3.5);
        QVERIFY(std::isnan(parseNumber("nan").value_or(0)));
        // PostgreSQL's spellings of its special values.
        QVERIFY(std::isnan(parseNumber("NaN").value_or(0)));
        QCOMPARE(parseNumber("Infinity").value_or(0), HUGE_VAL);
        QCOMPARE(parseNumber("-Infinity").value_or(0), -HUGE_VAL);
        for (const char *bad : {"", " ", "abc", "0,5", "1.5x", "+-1", "+", "1 2"})
            QVERIFY2(!parseNumber(bad), bad);
    }

    void writesTextThatReadsBack()
    {
        QCOMPARE(numberText(0.1), std::string("0.1"));
        QCOMPARE(numberText(-2.0), std::string("-2"));
        for (double value : {1.0 / 3.0, 0.0123456789012345, 6.02e23, -1e-300})
            QCOMPARE(parseNumber(numberText(value)).value_or(0), value);
        // The format std::to_string wrote in the C locale, for files that
        // stay byte for byte as before.
        QCOMPARE(fixedText(37222.0, 6), std::to_string(37222.0));
        QCOMPARE(fixedText(0.125, 2), std::string("0.12"));
    }

    // Cards and checkpoints written under a comma locale before the fix:
    // single values with a decimal comma read as meant, an error scale
    // rewritten as zeros is refused, not used.
    void readsWhatEarlierVersionsWroteUnderACommaLocale()
    {
        QCOMPARE(parseWrittenNumber("0,017504").value_or(-1), 0.017504);
        QCOMPARE(parseWrittenNumber("37222,000000").value_or(-1), 37222.0);
        QCOMPARE(parseWrittenNumber("0.5").value_or(-1), 0.5);
        for (const char *bad : {"1,2,3", "1.5,2", "", ","})
            QVERIFY2(!parseWrittenNumber(bad), bad);

        auto tiny = engine::Model::load(kTinyModel);
        QVERIFY(tiny.ok());
        auto metadata = tiny->card().toMetadata();
        metadata["class_offsets"] = "0.5";
        for (std::size_t c = 1; c < tiny->card().classNames.size(); ++c)
            metadata["class_offsets"] += ",0.5";
        metadata["calibration"] = "test";
        metadata["score_temperature"] = "0,017504";
        metadata["train_seconds"] = "10200,000000";
        auto card = engine::ModelCard::fromMetadata(metadata);
        QVERIFY2(card.ok(), card.ok() ? "" : card.error().c_str());
        QCOMPARE(card->scoreTemperature, 0.017504);
        QCOMPARE(card->trainSeconds, 10200.0);

        metadata["error_scale"] = "0,0,0,0";
        card = engine::ModelCard::fromMetadata(metadata);
        QVERIFY(!card.ok());
        QVERIFY2(card.error().find("error scale is damaged") != std::string::npos, card.error().c_str());
    }

    void germanLocaleChangesNoFile()
    {
        auto before = engine::Model::load(kShippedModel);
        QVERIFY2(before.ok(), before.ok() ? "" : before.error().c_str());
        QVERIFY2(useGermanNumbers(), "no German locale: install the package 'locales' (scripts/install-deps.sh)");
        QCOMPARE(printfHalf(), std::string("0,5")); // the C library now writes the German notation

        QCOMPARE(parseNumber("0.05").value_or(-1), 0.05);
        QVERIFY(!parseNumber("0,05"));
        QCOMPARE(numberText(0.5), std::string("0.5"));
        QCOMPARE(fixedText(0.5, 6), std::string("0.500000"));

        // The shipped model reads as in the C locale.
        auto after = engine::Model::load(kShippedModel);
        QVERIFY2(after.ok(), after.ok() ? "" : after.error().c_str());
        QCOMPARE(after->card().latent.scale, before->card().latent.scale);
        QCOMPARE(after->card().errorScale, before->card().errorScale);
        QCOMPARE(after->card().classOffsets, before->card().classOffsets);
        QCOMPARE(after->card().scoreTemperature, before->card().scoreTemperature);

        // A card written here reads back exactly elsewhere (the score
        // temperature was written with 6 decimals, in the local notation).
        QTemporaryDir dir;
        const std::string calibrated = dir.filePath(QStringLiteral("calibrated.pt")).toStdString();
        const double temperature = 0.0123456789012345;
        auto written = engine::rewriteModelCard(kTinyModel, calibrated, [&](engine::ModelCard &card) -> Result<void> {
            card.classOffsets.assign(card.classNames.size(), 0.25);
            card.calibration = "test";
            card.scoreTemperature = temperature;
            card.trainSeconds = 12.5;
            return {};
        });
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
        std::setlocale(LC_NUMERIC, "C");
        auto read = engine::Model::load(calibrated);
        QVERIFY2(read.ok(), read.ok() ? "" : read.error().c_str());
        QCOMPARE(read->card().scoreTemperature, temperature);
        QCOMPARE(read->card().classOffsets, std::vector<double>(read->card().classNames.size(), 0.25));
        QCOMPARE(read->card().trainSeconds, 12.5);
    }
};

QTEST_GUILESS_MAIN(TestNumberText)
#include "test_numbertext.moc"
