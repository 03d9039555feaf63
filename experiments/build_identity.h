#pragma once
// The identity of this build: "<project version>+src.<16 hex digits>", the digits a SHA-256 over every
// source file of the program (scripts/build_identity.cmake). Stored runs are keyed by it, so numbers
// stored by a different program are never returned as current.
namespace sparsesim {

const char* build_identity();

}  // namespace sparsesim
