#include "chartoutput.h"
#include "commands.h"
#include "reportplots.h"

#include <QApplication>

int main(int argc, char **argv)
{
    // The CLI draws its report plots with the GUI's plotting code; it never
    // opens a window, so the offscreen platform works without a display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    cytodiff::cli::setChartRenderer(cytodiff::ui::saveChartPng);
    return cytodiff::cli::run(argc, argv, [](int &count, char **values) -> std::unique_ptr<QCoreApplication> {
        return std::make_unique<QApplication>(count, values);
    });
}
