// Standard headers that include the iostream headers internally (<memory>, <iterator>) or
// <sstream> (<chrono>, <complex>) compile on bare metal: a control for the cases below.
// expect: compiles

#include <chrono>
#include <complex>
#include <iterator>
#include <memory>
#include <ranges>
#include <sstream>  // after <chrono>: already included by it, so not an error here

int main() { return static_cast<int>(std::chrono::seconds(1).count()) + static_cast<int>(std::complex<float>(1, 0).real()); }
