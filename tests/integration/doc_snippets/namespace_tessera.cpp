// Declarations as they stand in namespace tessera (a redeclaration must match).
#include <tessera/tessera.hpp>
namespace tessera {
@SNIPPET@
}  // namespace tessera
