// picolibc glue for bare-metal images: stdin/stdout/stderr are the platform console, and
// _exit() powers the machine off with the status. The console functions are defined by
// TESSERA_MAIN for the application's kernel type.

#include <stdio.h>

extern void tessera_console_write(const char* text, unsigned long length);
extern int tessera_console_read(void);
extern _Noreturn void tessera_exit(int status);

static int console_put(char c, FILE* file) {
  (void)file;
  tessera_console_write(&c, 1);
  return (unsigned char)c;
}

static int console_get(FILE* file) {
  (void)file;
  int c;
  while ((c = tessera_console_read()) < 0) {
  }
  return c;
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);
FILE* const stdin = &console;
FILE* const stdout = &console;
FILE* const stderr = &console;

_Noreturn void _exit(int status) { tessera_exit(status); }
