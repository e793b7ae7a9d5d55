#ifndef DLC_MPI_H
#define DLC_MPI_H

/// Open MPI behind a small C interface, loaded (`dlopen`) only when dlc is started under a
/// launcher (`mpirun`) or with `--distributed`, so that dlc builds, runs and tests on a machine
/// without MPI. dlc builds without MPI's headers: Open MPI's handles (`MPI_COMM_WORLD`,
/// `MPI_FLOAT`, `MPI_SUM`) are the addresses of its predefined objects, found with `dlsym`.

/// Loads the MPI library if it is not loaded yet; 1 when it is loaded and is Open MPI.
/// `DLC_MPI_LIBRARY` names the library file to load instead of the usual names.
int dlc_mpi_load(void);

/// Why MPI could not be loaded (dlopen's message, or what the library lacks), or "".
const char *dlc_mpi_load_error(void);

/// `MPI_Init_thread` (MPI_THREAD_FUNNELED: only the main thread calls MPI); 0 on success.
int dlc_mpi_init(void);

/// `MPI_Comm_rank` and `MPI_Comm_size` of `MPI_COMM_WORLD` (0 and 1 before `dlc_mpi_init`).
int dlc_mpi_rank(void);
int dlc_mpi_size(void);

/// In-place `MPI_Allreduce` with `MPI_SUM` over `MPI_COMM_WORLD`, in pieces of at most 2^30
/// elements (MPI counts are `int`); 0 on success.
int dlc_mpi_allreduce_sum_float(float *values, long count);
int dlc_mpi_allreduce_sum_double(double *values, long count);

/// `MPI_Bcast` of `bytes` bytes from `root`; 0 on success.
int dlc_mpi_broadcast(void *buffer, long bytes, int root);

/// `MPI_Allgather` of `bytes` bytes from every rank into `received` (`bytes * size`); 0 on success.
int dlc_mpi_allgather(const void *sent, long bytes, void *received);

/// `MPI_Abort(MPI_COMM_WORLD, code)`: ends every rank of the job.
void dlc_mpi_abort(int code);

/// `MPI_Finalize`; 0 on success (nothing when MPI was not initialized).
int dlc_mpi_finalize(void);

#endif
