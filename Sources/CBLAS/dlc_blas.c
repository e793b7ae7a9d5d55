#include "dlc_blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

// cblas.h's values (OpenBLAS, Netlib): CblasRowMajor, CblasNoTrans, CblasTrans. The integer type
// is OpenBLAS's 32-bit `blasint` (Debian's libopenblas0; an INTERFACE64 build is libopenblas64).
enum { row_major = 101, no_transpose = 111, transpose = 112 };
typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                        float, float *, int);

static sgemm_t p_sgemm;
static void (*p_set_threads)(int);
static int (*p_get_threads)(void);
static char *(*p_corename)(void);
static void *library;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static _Atomic int loaded;  // set once `load` has run (the settings below differ before and after)

static void load(void) {
    const char *names[] = {
        getenv("DLC_OPENBLAS_LIBRARY"), "libopenblas.so.0", "libopenblas.so",
        "libopenblas.0.dylib", "libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "/usr/local/opt/openblas/lib/libopenblas.dylib",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        if (!names[i] || !names[i][0]) continue;
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!library && load_error[0] == 0) {
            const char *message = dlerror();
            snprintf(load_error, sizeof load_error, "%s", message ? message : names[i]);
        }
        // The user's own library is the only one to try when they named one.
        if (i == 0 && names[0] && names[0][0]) break;
    }
    loaded = 1;
    if (!library) return;
    p_sgemm = (sgemm_t)dlsym(library, "cblas_sgemm");
    p_set_threads = (void (*)(int))dlsym(library, "openblas_set_num_threads");
    p_get_threads = (int (*)(void))dlsym(library, "openblas_get_num_threads");
    p_corename = (char *(*)(void))dlsym(library, "openblas_get_corename");
    if (!p_sgemm) {
        snprintf(load_error, sizeof load_error, "the library loaded has no cblas_sgemm");
        return;
    }
    load_error[0] = 0;
}

int dlc_blas_load(void) {
    pthread_once(&load_once, load);
    return p_sgemm != NULL;
}

const char *dlc_blas_load_error(void) {
    dlc_blas_load();
    return load_error;
}

int dlc_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    if (!dlc_blas_load()) return -1;
    p_sgemm(row_major, transpose_a ? transpose : no_transpose, transpose_b ? transpose : no_transpose,
            m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return 0;
}

void dlc_blas_set_threads(int count) {
    if (dlc_blas_load() && p_set_threads) p_set_threads(count);
}

int dlc_blas_threads(void) {
    return dlc_blas_load() && p_get_threads ? p_get_threads() : 1;
}

const char *dlc_openblas_core(void) {
    const char *name = dlc_blas_load() && p_corename ? p_corename() : NULL;
    return name ? name : "unknown";
}

int dlc_upgrade_openblas_core(void) {
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
    void (*quit)(void) = (void (*)(void))dlsym(library, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(library, "gotoblas_dynamic_init");
    if (quit == NULL || init == NULL) return 0;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    return strcmp(dlc_openblas_core(), "Prescott") != 0;
#else
    return 0;
#endif
}

/// Sets the environment variable `name` to `value` in decimal.
static void set_number(const char *name, int value) {
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    setenv(name, text, 1);
}

void dlc_blas_prepare_threads(int count) {
    if (loaded || count < 1 || getenv("OPENBLAS_NUM_THREADS") != NULL) return;
    set_number("OPENBLAS_NUM_THREADS", count);
}

int dlc_set_openblas_thread_timeout(int log2_cycles) {
    if (getenv("OPENBLAS_THREAD_TIMEOUT") != NULL) return 0;
    if (!loaded) {
        set_number("OPENBLAS_THREAD_TIMEOUT", log2_cycles);
        return 1;
    }
    if (!library) return 0;
    void (*read_environment)(void) = (void (*)(void))dlsym(library, "openblas_read_env");
    int (*shutdown)(void) = (int (*)(void))dlsym(library, "blas_thread_shutdown_");
    if (read_environment == NULL || shutdown == NULL) return 0;
    set_number("OPENBLAS_THREAD_TIMEOUT", log2_cycles);
    read_environment();
    shutdown();
    return 1;
}

void dlc_flush_denormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}
