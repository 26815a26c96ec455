// Declarations at namespace scope of an application that includes tessera.
#include <tessera/tessera.hpp>
@SNIPPET@
