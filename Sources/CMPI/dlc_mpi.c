#include "dlc_mpi.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Open MPI's ABI: every handle is a pointer to a predefined object, and MPI_IN_PLACE is (void *)1
// (mpi.h: `#define MPI_IN_PLACE ((void *) 1)`). MPICH and its derivatives use integer handles;
// they are refused with a message rather than called wrongly.
typedef void *handle;
#define IN_PLACE ((void *)1)
enum { thread_funneled = 1, max_piece = 1 << 30 };

static int (*p_init_thread)(int *, char ***, int, int *);
static int (*p_initialized)(int *);
static int (*p_finalized)(int *);
static int (*p_comm_rank)(handle, int *);
static int (*p_comm_size)(handle, int *);
static int (*p_allreduce)(const void *, void *, int, handle, handle, handle);
static int (*p_bcast)(void *, int, handle, int, handle);
static int (*p_allgather)(const void *, int, handle, void *, int, handle, handle);
static int (*p_abort)(handle, int);
static int (*p_finalize)(void);
static handle comm_world, type_float, type_double, type_byte, op_sum;

static void *library;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int rank = 0, size = 1, initialized = 0;

static void *symbol(const char *name) {
    void *found = dlsym(library, name);
    if (!found && load_error[0] == 0) snprintf(load_error, sizeof load_error, "the MPI library has no `%s`", name);
    return found;
}

static void load(void) {
    const char *names[] = {getenv("DLC_MPI_LIBRARY"), "libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        if (!names[i] || !names[i][0]) continue;
        // RTLD_GLOBAL: Open MPI loads its own components with dlopen, and they need its symbols.
        library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        if (!library && load_error[0] == 0) {
            const char *message = dlerror();
            snprintf(load_error, sizeof load_error, "%s", message ? message : names[i]);
        }
        if (i == 0 && names[0] && names[0][0]) break;
    }
    if (!library) return;
    load_error[0] = 0;
    if (!dlsym(library, "ompi_mpi_comm_world")) {
        snprintf(load_error, sizeof load_error,
                 "the MPI library loaded is not Open MPI (MPICH and its derivatives are not supported)");
        return;
    }
    p_init_thread = (int (*)(int *, char ***, int, int *))symbol("MPI_Init_thread");
    p_initialized = (int (*)(int *))symbol("MPI_Initialized");
    p_finalized = (int (*)(int *))symbol("MPI_Finalized");
    p_comm_rank = (int (*)(handle, int *))symbol("MPI_Comm_rank");
    p_comm_size = (int (*)(handle, int *))symbol("MPI_Comm_size");
    p_allreduce = (int (*)(const void *, void *, int, handle, handle, handle))symbol("MPI_Allreduce");
    p_bcast = (int (*)(void *, int, handle, int, handle))symbol("MPI_Bcast");
    p_allgather = (int (*)(const void *, int, handle, void *, int, handle, handle))symbol("MPI_Allgather");
    p_abort = (int (*)(handle, int))symbol("MPI_Abort");
    p_finalize = (int (*)(void))symbol("MPI_Finalize");
    comm_world = symbol("ompi_mpi_comm_world");
    type_float = symbol("ompi_mpi_float");
    type_double = symbol("ompi_mpi_double");
    type_byte = symbol("ompi_mpi_byte");
    op_sum = symbol("ompi_mpi_op_sum");
}

int dlc_mpi_load(void) {
    pthread_once(&load_once, load);
    return library != NULL && load_error[0] == 0;
}

const char *dlc_mpi_load_error(void) { return load_error; }

int dlc_mpi_init(void) {
    if (!dlc_mpi_load()) return -1;
    if (initialized) return 0;
    int provided = 0;
    int status = p_init_thread(NULL, NULL, thread_funneled, &provided);
    if (status != 0) return status;
    initialized = 1;
    p_comm_rank(comm_world, &rank);
    p_comm_size(comm_world, &size);
    return 0;
}

int dlc_mpi_rank(void) { return rank; }
int dlc_mpi_size(void) { return size; }

static int allreduce_sum(void *values, long count, handle type, long element) {
    if (!initialized) return -1;
    char *bytes = values;
    for (long done = 0; done < count;) {
        int piece = (int)(count - done < max_piece ? count - done : max_piece);
        int status = p_allreduce(IN_PLACE, bytes + done * element, piece, type, op_sum, comm_world);
        if (status != 0) return status;
        done += piece;
    }
    return 0;
}

int dlc_mpi_allreduce_sum_float(float *values, long count) { return allreduce_sum(values, count, type_float, sizeof(float)); }
int dlc_mpi_allreduce_sum_double(double *values, long count) { return allreduce_sum(values, count, type_double, sizeof(double)); }

int dlc_mpi_broadcast(void *buffer, long bytes, int root) {
    if (!initialized) return -1;
    char *data = buffer;
    for (long done = 0; done < bytes;) {
        int piece = (int)(bytes - done < max_piece ? bytes - done : max_piece);
        int status = p_bcast(data + done, piece, type_byte, root, comm_world);
        if (status != 0) return status;
        done += piece;
    }
    return 0;
}

int dlc_mpi_allgather(const void *sent, long bytes, void *received) {
    if (!initialized) return -1;
    if (bytes > max_piece) return -1;
    return p_allgather(sent, (int)bytes, type_byte, received, (int)bytes, type_byte, comm_world);
}

void dlc_mpi_abort(int code) {
    if (initialized) p_abort(comm_world, code);
    exit(code);
}

int dlc_mpi_finalize(void) {
    if (!initialized) return 0;
    int done = 0;
    if (p_finalized(&done) == 0 && done) return 0;
    initialized = 0;
    return p_finalize();
}
