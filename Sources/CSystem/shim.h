#ifndef OPTBENCH_CSYSTEM_SHIM_H
#define OPTBENCH_CSYSTEM_SHIM_H
/* System calls Swift cannot import as they are (variadic C functions). */
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>

/* Asks the kernel to send `signal` to this process when the thread that started it exits:
   a trial process then dies with its `optbench run`, even when run is SIGKILLed and
   cannot forward anything. Returns 0 on success, -1 where unsupported or on error. */
static inline int optbench_die_with_parent(int signal) { return prctl(PR_SET_PDEATHSIG, signal); }
#else
static inline int optbench_die_with_parent(int signal) { (void)signal; return -1; }
#endif

#ifdef __linux__
/* mallopt and its parameters (AllocatorTuning). */
#include <malloc.h>
#endif

#include <stdio.h>
/* Makes standard output line-buffered (Swift cannot name C's `stdout` global under strict
   concurrency): a batch job's log then shows each line as it is printed. */
static inline void optbench_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

#endif
