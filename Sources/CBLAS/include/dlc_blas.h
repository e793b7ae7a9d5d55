#ifndef DLC_BLAS_H
#define DLC_BLAS_H

/// OpenBLAS behind a small C interface, loaded on first use (`dlopen`), so that a command that
/// never multiplies matrices (`dlc check`, `dlc --version`) does not pay for loading it and for
/// the threads it starts when it loads (about 2 ms here). dlc builds without OpenBLAS's headers.

/// Loads OpenBLAS if it is not loaded yet; 1 when it is available. `DLC_OPENBLAS_LIBRARY` names
/// the library file to load instead of the usual names.
int dlc_blas_load(void);

/// Why OpenBLAS could not be loaded (dlopen's message), or an empty string.
const char *dlc_blas_load_error(void);

/// Row-major C = alpha * op(A) * op(B) + beta * C through `cblas_sgemm`. Returns 0, or -1 when
/// OpenBLAS is not available (C is then unchanged).
int dlc_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// `openblas_set_num_threads` and `openblas_get_num_threads` (1 without OpenBLAS).
void dlc_blas_set_threads(int count);
int dlc_blas_threads(void);

/// OpenBLAS's name for the kernels it chose ("Haswell", "SkylakeX", "Prescott", ...).
const char *dlc_openblas_core(void);

/// An OpenBLAS built with DYNAMIC_ARCH that does not know a newer CPU falls back to its generic
/// SSE3 "Prescott" kernels, 2-6x slower. When that happened, the user set no OPENBLAS_CORETYPE,
/// and the CPU has AVX-512 (or AVX2), re-initialize OpenBLAS with the newest kernels it has for
/// that instruction set. Returns 1 when it switched.
int dlc_upgrade_openblas_core(void);

/// OpenBLAS's idle worker threads spin (calling sched_yield) for 2^28 cycles, about 0.1 s, after
/// each threaded call before they sleep. Unless the user set OPENBLAS_THREAD_TIMEOUT, lower it to
/// 2^log2_cycles. OpenBLAS reads the variable when it loads: before the load it is only set;
/// after, OpenBLAS re-reads its environment and stops its threads, and the next threaded call
/// starts them again with the new timeout (only at process start: stopping the threads while
/// another thread is inside a BLAS call could hang it). Returns 1 when it changed the timeout.
int dlc_set_openblas_thread_timeout(int log2_cycles);

/// Before OpenBLAS is loaded: start only `count` threads when it loads (OPENBLAS_NUM_THREADS,
/// unless the user set it), rather than one per core, each with a buffer of about 128 MiB of
/// address space. Does nothing once it is loaded.
void dlc_blas_prepare_threads(int count);

/// Flush denormal floats to zero (FTZ) and treat denormal inputs as zero (DAZ) on this thread.
/// Gradients that shrink toward zero otherwise make float math ~100x slower on x86.
void dlc_flush_denormals(void);

#endif
