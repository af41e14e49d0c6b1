#include "cli/Commands.h"

int main(int argc, char** argv) { return marketsage::cli::run(argc, argv); }
