// The `sparsesim` command. Subcommands are added in cli/*_command.cpp.
#include <iostream>

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::cerr << "sparsesim: not yet wired\n";
  return 1;
}
