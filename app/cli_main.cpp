#include "commands.h"

int main(int argc, char **argv)
{
    return cytodiff::cli::run(argc, argv);
}
