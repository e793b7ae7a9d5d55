#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__) || defined(__linux__)
#include <dlfcn.h>
#include <stdio.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/// Flush denormal floats to zero (FTZ) and treat denormal inputs as zero (DAZ) on this thread.
/// Gradients that shrink toward zero otherwise make float math ~100x slower on x86.
static inline void dlc_flush_denormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}

/// OpenBLAS's name for the kernels it chose ("Haswell", "SkylakeX", "Prescott", ...).
static inline const char *dlc_openblas_core(void) {
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}

/// An OpenBLAS built with DYNAMIC_ARCH that does not know a newer CPU falls back to its generic
/// SSE3 "Prescott" kernels, 2-6x slower. When that happened, the user set no OPENBLAS_CORETYPE,
/// and the CPU has AVX-512 (or AVX2), re-initialize OpenBLAS with the newest kernels it has for
/// that instruction set. Returns 1 when it switched.
static inline int dlc_upgrade_openblas_core(void) {
#if defined(__x86_64__)
    if (getenv("OPENBLAS_CORETYPE") != NULL) return 0;
    if (strcmp(dlc_openblas_core(), "Prescott") != 0) return 0;
    __builtin_cpu_init();
    const char *core = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        core = "SkylakeX";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        core = "Haswell";
    }
    if (core == NULL) return 0;
    void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (quit == NULL || init == NULL) return 0;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    return strcmp(dlc_openblas_core(), "Prescott") != 0;
#else
    return 0;
#endif
}


/// OpenBLAS's idle worker threads spin (calling sched_yield) for 2^28 cycles, about 0.1 s, after
/// each threaded call before they sleep. While dlc runs its own work on both cores (a batch's
/// convolution parts), a spinning worker takes CPU time from them. Unless the user set
/// OPENBLAS_THREAD_TIMEOUT, lower it to 2^log2Cycles: OpenBLAS reads the variable when it
/// starts its threads, so set it, re-read the environment and stop the threads; the next
/// openblas_set_num_threads (or threaded call) starts them again with the new timeout. Only at
/// process start: stopping the threads while another thread is in a BLAS call could hang it.
/// Returns 1 when it changed the timeout.
static inline int dlc_set_openblas_thread_timeout(int log2Cycles) {
#if defined(__linux__)
    if (getenv("OPENBLAS_THREAD_TIMEOUT") != NULL) return 0;
    void (*readEnvironment)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "openblas_read_env");
    int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (readEnvironment == NULL || shutdown == NULL) return 0;
    char value[16];
    snprintf(value, sizeof value, "%d", log2Cycles);
    setenv("OPENBLAS_THREAD_TIMEOUT", value, 1);
    readEnvironment();
    shutdown();
    return 1;
#else
    (void)log2Cycles;
    return 0;
#endif
}
