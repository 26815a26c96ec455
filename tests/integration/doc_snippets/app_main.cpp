// A snippet that ends an application: its entry point is declared before it.
#include <cstdio>
int app_main() { return 0; }
@SNIPPET@
