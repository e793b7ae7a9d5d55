#include "dlc_dnnl.h"

#include <dlfcn.h>
#include <dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/// oneDNN is loaded on first use (`dlopen`), not at start-up: a command that never convolves
/// (`dlc check`) does not pay for it, and OpenMP, which oneDNN runs on, reads its settings when it
/// loads, so `load` can first shorten how long its idle threads spin (below).
#define DNNL_FUNCTIONS(X) \
    X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_destroy) X(dnnl_stream_wait) \
    X(dnnl_memory_desc_init_by_tag) X(dnnl_memory_create) X(dnnl_memory_destroy) X(dnnl_memory_set_data_handle) \
    X(dnnl_memory_desc_equal) X(dnnl_memory_desc_get_size) X(dnnl_convolution_forward_desc_init) \
    X(dnnl_convolution_backward_data_desc_init) X(dnnl_convolution_backward_weights_desc_init) \
    X(dnnl_primitive_desc_create) X(dnnl_primitive_desc_destroy) X(dnnl_primitive_desc_query_md) \
    X(dnnl_primitive_desc_query) X(dnnl_primitive_create) X(dnnl_primitive_destroy) X(dnnl_primitive_execute) \
    X(dnnl_reorder_primitive_desc_create)
#define DECLARE(name) static __typeof__(&name) p_##name;
DNNL_FUNCTIONS(DECLARE)
#undef DECLARE

static dnnl_engine_t engine;
static void (*set_omp_threads)(int);
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    // OpenMP's idle threads spin about 300,000 rounds (~1 ms) after each parallel region before
    // they sleep, taking the cores from OpenBLAS and dlc's own threads that run next: with 2
    // threads, the dense layers after a convolution ran 2.5x slower. 10,000 rounds keep the
    // handoff between a step's convolutions fast. The user's own setting wins.
    setenv("GOMP_SPINCOUNT", "10000", 0);
    void *library = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libdnnl.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
#define RESOLVE(name) p_##name = (__typeof__(&name))dlsym(library, #name); if (!p_##name) return;
    DNNL_FUNCTIONS(RESOLVE)
#undef RESOLVE
    set_omp_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    if (p_dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

int dlc_dnnl_is_available(void) {
    pthread_once(&load_once, load);
    return engine != NULL;
}

/// oneDNN's kernels run on OpenMP threads; each call says how many (the runtime's `--threads`).
static void set_threads(int threads) {
    if (set_omp_threads && threads > 0) set_omp_threads(threads);
}

/// A primitive with its memory objects: the activations' (handles set per call) and, where its
/// weights layout is not [kh, kw, cin, cout], a buffer in its layout and a reorder to or from it.
typedef struct {
    dnnl_primitive_desc_t descriptor;
    dnnl_primitive_t primitive;
    dnnl_primitive_t reorder;
    dnnl_memory_t plain_weights;
    dnnl_memory_t weights;
    void *weights_buffer;
} pass_t;

struct dlc_dnnl_convolution {
    dnnl_stream_t stream;
    dnnl_memory_t source, destination, bias;
    pass_t forward, backward_data, backward_weights;
    dnnl_memory_desc_t plain_weights_desc;
};

static void destroy_pass(pass_t *pass) {
    if (pass->reorder) p_dnnl_primitive_destroy(pass->reorder);
    if (pass->primitive) p_dnnl_primitive_destroy(pass->primitive);
    if (pass->descriptor) p_dnnl_primitive_desc_destroy(pass->descriptor);
    if (pass->weights && pass->weights != pass->plain_weights) p_dnnl_memory_destroy(pass->weights);
    if (pass->plain_weights) p_dnnl_memory_destroy(pass->plain_weights);
    free(pass->weights_buffer);
    memset(pass, 0, sizeof *pass);
}

void dlc_dnnl_convolution_destroy(dlc_dnnl_convolution *c) {
    if (!c) return;
    destroy_pass(&c->forward);
    destroy_pass(&c->backward_data);
    destroy_pass(&c->backward_weights);
    if (c->source) p_dnnl_memory_destroy(c->source);
    if (c->destination) p_dnnl_memory_destroy(c->destination);
    if (c->bias) p_dnnl_memory_destroy(c->bias);
    if (c->stream) p_dnnl_stream_destroy(c->stream);
    free(c);
}

/// Makes the primitive and, when its weights (`query`) are in a layout of its own, the buffer and
/// the reorder between it and [kh, kw, cin, cout] (`into`: plain -> its layout; else the reverse).
static int finish_pass(dlc_dnnl_convolution *c, pass_t *pass, dnnl_query_t query, int into) {
    if (p_dnnl_primitive_create(&pass->primitive, pass->descriptor) != dnnl_success) return 0;
    const dnnl_memory_desc_t *chosen = p_dnnl_primitive_desc_query_md(pass->descriptor, query, 0);
    if (p_dnnl_memory_create(&pass->plain_weights, &c->plain_weights_desc, engine, DNNL_MEMORY_NONE) != dnnl_success) return 0;
    if (p_dnnl_memory_desc_equal(chosen, &c->plain_weights_desc)) {
        pass->weights = pass->plain_weights;
        return 1;
    }
    size_t size = p_dnnl_memory_desc_get_size(chosen);
    pass->weights_buffer = aligned_alloc(64, (size + 63) / 64 * 64);
    if (!pass->weights_buffer) return 0;
    memset(pass->weights_buffer, 0, size);
    if (p_dnnl_memory_create(&pass->weights, chosen, engine, pass->weights_buffer) != dnnl_success) return 0;
    dnnl_primitive_desc_t reorder_descriptor;
    const dnnl_memory_desc_t *from = into ? &c->plain_weights_desc : chosen;
    const dnnl_memory_desc_t *to = into ? chosen : &c->plain_weights_desc;
    if (p_dnnl_reorder_primitive_desc_create(&reorder_descriptor, from, engine, to, engine, NULL) != dnnl_success) return 0;
    dnnl_status_t status = p_dnnl_primitive_create(&pass->reorder, reorder_descriptor);
    p_dnnl_primitive_desc_destroy(reorder_descriptor);
    return status == dnnl_success;
}

dlc_dnnl_convolution *dlc_dnnl_convolution_create(int batch, int in_height, int in_width, int in_channels,
                                                  int out_channels, int kernel_height, int kernel_width,
                                                  int stride_height, int stride_width, int pad_top, int pad_left,
                                                  int out_height, int out_width, int with_bias, int passes, int threads) {
    if (!dlc_dnnl_is_available()) return NULL;
    // oneDNN fixes a primitive's thread count when it makes it.
    set_threads(threads);
    dlc_dnnl_convolution *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    // The padding after the last row and column that makes oneDNN's output size match (never
    // negative: a valid window that leaves input rows over simply skips them).
    int pad_bottom = (out_height - 1) * stride_height + kernel_height - in_height - pad_top;
    int pad_right = (out_width - 1) * stride_width + kernel_width - in_width - pad_left;
    if (pad_bottom < 0) pad_bottom = 0;
    if (pad_right < 0) pad_right = 0;
    dnnl_dims_t source_dims = {batch, in_channels, in_height, in_width};
    dnnl_dims_t weights_dims = {out_channels, in_channels, kernel_height, kernel_width};
    dnnl_dims_t destination_dims = {batch, out_channels, out_height, out_width};
    dnnl_dims_t bias_dims = {out_channels};
    dnnl_dims_t strides = {stride_height, stride_width};
    dnnl_dims_t padding_before = {pad_top, pad_left}, padding_after = {pad_bottom, pad_right};
    dnnl_memory_desc_t source, destination, any_weights, bias;
    int ok = p_dnnl_stream_create(&c->stream, engine, dnnl_stream_default_flags) == dnnl_success
        && p_dnnl_memory_desc_init_by_tag(&source, 4, source_dims, dnnl_f32, dnnl_nhwc) == dnnl_success
        && p_dnnl_memory_desc_init_by_tag(&destination, 4, destination_dims, dnnl_f32, dnnl_nhwc) == dnnl_success
        && p_dnnl_memory_desc_init_by_tag(&c->plain_weights_desc, 4, weights_dims, dnnl_f32, dnnl_hwio) == dnnl_success
        && p_dnnl_memory_desc_init_by_tag(&any_weights, 4, weights_dims, dnnl_f32, dnnl_format_tag_any) == dnnl_success
        && p_dnnl_memory_desc_init_by_tag(&bias, 1, bias_dims, dnnl_f32, dnnl_a) == dnnl_success
        && p_dnnl_memory_create(&c->source, &source, engine, DNNL_MEMORY_NONE) == dnnl_success
        && p_dnnl_memory_create(&c->destination, &destination, engine, DNNL_MEMORY_NONE) == dnnl_success
        && p_dnnl_memory_create(&c->bias, &bias, engine, DNNL_MEMORY_NONE) == dnnl_success;
    // The backward passes take the forward descriptor as a hint, so it is made in any case.
    dnnl_convolution_desc_t forward;
    ok = ok && p_dnnl_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct, &source, &any_weights,
                                                  with_bias ? &bias : NULL, &destination, strides, padding_before,
                                                  padding_after) == dnnl_success
        && p_dnnl_primitive_desc_create(&c->forward.descriptor, &forward, NULL, engine, NULL) == dnnl_success
        && ((passes & DLC_DNNL_FORWARD) == 0 || finish_pass(c, &c->forward, dnnl_query_weights_md, 1));
    if (ok && (passes & DLC_DNNL_BACKWARD_DATA)) {
        dnnl_convolution_desc_t descriptor;
        ok = p_dnnl_convolution_backward_data_desc_init(&descriptor, dnnl_convolution_direct, &source, &any_weights, &destination,
                                                      strides, padding_before, padding_after) == dnnl_success
            && p_dnnl_primitive_desc_create(&c->backward_data.descriptor, &descriptor, NULL, engine, c->forward.descriptor) == dnnl_success
            && finish_pass(c, &c->backward_data, dnnl_query_weights_md, 1);
    }
    if (ok && (passes & DLC_DNNL_BACKWARD_WEIGHTS)) {
        dnnl_convolution_desc_t descriptor;
        ok = p_dnnl_convolution_backward_weights_desc_init(&descriptor, dnnl_convolution_direct, &source, &any_weights, NULL,
                                                         &destination, strides, padding_before, padding_after) == dnnl_success
            && p_dnnl_primitive_desc_create(&c->backward_weights.descriptor, &descriptor, NULL, engine, c->forward.descriptor) == dnnl_success
            && finish_pass(c, &c->backward_weights, dnnl_query_diff_weights_md, 0);
    }
    if (!ok) {
        dlc_dnnl_convolution_destroy(c);
        return NULL;
    }
    return c;
}

/// Reorders `plain` into the pass's weights layout, if it has its own.
static int stage_weights(dlc_dnnl_convolution *c, pass_t *pass, const float *plain) {
    if (p_dnnl_memory_set_data_handle(pass->plain_weights, (void *)plain) != dnnl_success) return 0;
    if (!pass->reorder) return 1;
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, pass->plain_weights}, {DNNL_ARG_TO, pass->weights}};
    return p_dnnl_primitive_execute(pass->reorder, c->stream, 2, args) == dnnl_success;
}

int dlc_dnnl_convolution_forward(dlc_dnnl_convolution *c, const float *x, const float *weights, const float *bias,
                                 float *y, int threads) {
    if (!c->forward.primitive) return -1;
    set_threads(threads);
    if (!stage_weights(c, &c->forward, weights)) return -1;
    p_dnnl_memory_set_data_handle(c->source, (void *)x);
    p_dnnl_memory_set_data_handle(c->destination, y);
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, c->source}, {DNNL_ARG_WEIGHTS, c->forward.weights}, {DNNL_ARG_DST, c->destination}};
    int count = 3;
    if (bias) {
        p_dnnl_memory_set_data_handle(c->bias, (void *)bias);
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, c->bias};
    }
    if (p_dnnl_primitive_execute(c->forward.primitive, c->stream, count, args) != dnnl_success) return -1;
    return p_dnnl_stream_wait(c->stream) == dnnl_success ? 0 : -1;
}

int dlc_dnnl_convolution_backward_data(dlc_dnnl_convolution *c, const float *dy, const float *weights, float *dx, int threads) {
    if (!c->backward_data.primitive) return -1;
    set_threads(threads);
    if (!stage_weights(c, &c->backward_data, weights)) return -1;
    p_dnnl_memory_set_data_handle(c->destination, (void *)dy);
    p_dnnl_memory_set_data_handle(c->source, dx);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_DIFF_DST, c->destination}, {DNNL_ARG_WEIGHTS, c->backward_data.weights},
                              {DNNL_ARG_DIFF_SRC, c->source}};
    if (p_dnnl_primitive_execute(c->backward_data.primitive, c->stream, 3, args) != dnnl_success) return -1;
    return p_dnnl_stream_wait(c->stream) == dnnl_success ? 0 : -1;
}

int dlc_dnnl_convolution_backward_weights(dlc_dnnl_convolution *c, const float *x, const float *dy, float *weights_gradient,
                                          int threads) {
    pass_t *pass = &c->backward_weights;
    if (!pass->primitive) return -1;
    set_threads(threads);
    p_dnnl_memory_set_data_handle(c->source, (void *)x);
    p_dnnl_memory_set_data_handle(c->destination, (void *)dy);
    p_dnnl_memory_set_data_handle(pass->plain_weights, weights_gradient);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, c->source}, {DNNL_ARG_DIFF_DST, c->destination}, {DNNL_ARG_DIFF_WEIGHTS, pass->weights}};
    if (p_dnnl_primitive_execute(pass->primitive, c->stream, 3, args) != dnnl_success) return -1;
    if (pass->reorder) {
        dnnl_exec_arg_t reorder[] = {{DNNL_ARG_FROM, pass->weights}, {DNNL_ARG_TO, pass->plain_weights}};
        if (p_dnnl_primitive_execute(pass->reorder, c->stream, 2, reorder) != dnnl_success) return -1;
    }
    return p_dnnl_stream_wait(c->stream) == dnnl_success ? 0 : -1;
}

const char *dlc_dnnl_convolution_implementation(const dlc_dnnl_convolution *c, int pass) {
    const_dnnl_primitive_desc_t descriptor = pass == DLC_DNNL_FORWARD ? c->forward.descriptor
        : pass == DLC_DNNL_BACKWARD_DATA ? c->backward_data.descriptor : c->backward_weights.descriptor;
    const char *name = "";
    if (descriptor) p_dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name);
    return name ? name : "";
}
