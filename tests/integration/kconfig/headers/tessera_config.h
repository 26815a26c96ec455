/* Stands in for the generated tessera_config.h in the configured-header compile tests: each
 * case (tests/integration/kconfig/headers/*.cpp) defines its CONFIG_… macros itself, as a
 * hand-written or stale header would, before including tessera/configured.hpp. */
