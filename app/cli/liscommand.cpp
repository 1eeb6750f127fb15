// cytodiff-cli lis-message: the signed result of a case as an HL7 v2.5.1
// ORU^R01 message in a drop folder (issue 24), by core/lis.

#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "importer.h"
#include "fhirbundle.h"
#include "lisoutbox.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>

#include <optional>

namespace cytodiff::cli {

int runLisMessage(const QStringList &args)
{
    const QString command = args.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Send the signed result of a case as an HL7 v2.5.1 ORU^R01 message: into a drop folder\n"
                       "(one file per message, written atomically) or over MLLP (acknowledged). The message is stored in the workspace first;\n"
                       "messages that could not be delivered before go too, oldest first. A case amended after\n"
                       "signing is sent as a corrected result (OBX-11 C). Refused without an accession number."));
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("The case's name or id."));
    const QCommandLineOption dbOption = databaseOption();
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("The drop folder (must exist)."),
                                       QStringLiteral("folder"));
    const QCommandLineOption mllpOption(
        QStringLiteral("mllp"),
        QStringLiteral("Send over MLLP to the LIS at host:port instead; delivered once it acknowledges (AA/CA)."),
        QStringLiteral("host:port"));
    const QCommandLineOption fhirOption(
        QStringLiteral("fhir"),
        QStringLiteral("Also write the result as a FHIR R4 Bundle (DiagnosticReport + Observations, JSON) into this "
                       "folder."),
        QStringLiteral("folder"));
    const QCommandLineOption byOption(QStringLiteral("by"),
                                      QStringLiteral("Who sends it (default: the login name)."), QStringLiteral("name"));
    const QCommandLineOption facilityOption(QStringLiteral("sending-facility"), QStringLiteral("MSH-4."),
                                            QStringLiteral("name"));
    const QCommandLineOption receiverOption(QStringLiteral("receiving-application"), QStringLiteral("MSH-5."),
                                            QStringLiteral("name"));
    const QCommandLineOption receiverFacilityOption(QStringLiteral("receiving-facility"), QStringLiteral("MSH-6."),
                                                    QStringLiteral("name"));
    const QCommandLineOption loincOption(
        QStringLiteral("loinc"),
        QStringLiteral("The laboratory's LOINC map (JSON: class id -> {code, display}); default: the shipped one."),
        QStringLiteral("file"));
    parser.addOptions({dbOption, outOption, mllpOption, fhirOption, byOption, facilityOption, receiverOption, receiverFacilityOption,
                       loincOption});
    if (auto stop = parseArguments(parser, args, 1, 1))
        return *stop;
    if (parser.isSet(outOption) == parser.isSet(mllpOption)) {
        printError(command, QStringLiteral("give either --out FOLDER or --mllp HOST:PORT"));
        return kExitUsage;
    }
    std::optional<lis::MllpEndpoint> endpoint;
    if (parser.isSet(mllpOption)) {
        auto parsed = lis::parseMllpEndpoint(parser.value(mllpOption));
        if (!parsed) {
            printError(command, parsed.error());
            return kExitUsage;
        }
        endpoint = *parsed;
    }

    lis::LisSettings settings;
    settings.sendingFacility = parser.value(facilityOption);
    settings.receivingApplication = parser.value(receiverOption);
    settings.receivingFacility = parser.value(receiverFacilityOption);
    if (parser.isSet(loincOption)) {
        QFile file(parser.value(loincOption));
        if (!file.open(QIODevice::ReadOnly)) {
            printError(command, QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
            return kExitBadInput;
        }
        auto map = lis::LoincMap::fromJson(file.readAll());
        if (!map) {
            printError(command, map.error());
            return kExitBadInput;
        }
        settings.loinc = *map;
    }

    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    auto found = db->findCase(parser.positionalArguments().first());
    if (!found) {
        printError(command, found.error());
        return kExitBadInput;
    }
    // Stored first (the workspace's outbox), then delivered with every
    // message still queued, oldest first. The reference ranges are the
    // shipped ones here; the GUI uses the laboratory's (Settings).
    const QString by = parser.isSet(byOption) ? parser.value(byOption) : importer::defaultActor();
    auto controlId = lis::LisOutbox::enqueue(*db, found->id, settings, review::ReferenceRanges::defaults(), by);
    if (!controlId) {
        printError(command, controlId.error());
        return kExitBadInput;
    }
    auto delivered = endpoint ? lis::LisOutbox::deliverOverMllp(*db, *endpoint)
                              : lis::LisOutbox::deliverToFolder(*db, parser.value(outOption));
    if (!delivered) {
        printError(command, delivered.error());
        return kExitBadInput;
    }
    if (parser.isSet(fhirOption)) {
        auto result = lis::caseResult(*db, found->id, review::ReferenceRanges::defaults());
        auto bundle = result ? lis::fhirResultBundle(*result, settings, *controlId, QDateTime::currentDateTimeUtc())
                             : Result<QByteArray>(makeError(result.error()));
        auto written = bundle ? lis::writeToDropFolder(parser.value(fhirOption), found->accession, *controlId, *bundle,
                                                       QStringLiteral(".json"))
                              : Result<QString>(makeError(bundle.error()));
        if (!written) {
            printError(command, written.error());
            return kExitBadInput;
        }
        printOut(QStringLiteral("Wrote the FHIR bundle %1\n").arg(QDir::toNativeSeparators(*written)));
    }
    printOut(QStringLiteral("Wrote %1 message(s) to %2; %3 of %4 (accession %5)\n")
                 .arg(*delivered)
                 .arg(endpoint ? parser.value(mllpOption) : QDir::toNativeSeparators(parser.value(outOption)),
                      *controlId, found->name, found->accession));
    return kExitOk;
}

} // namespace cytodiff::cli
