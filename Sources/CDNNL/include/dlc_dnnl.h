#ifndef DLC_DNNL_H
#define DLC_DNNL_H

/// A 2-D convolution over NHWC activations and weights laid out [kh, kw, cin, cout], run by
/// oneDNN (its fastest kernels for this CPU). The passes a convolution needs are created once;
/// each call reorders the weights into (or the weight gradient out of) oneDNN's own layout.
typedef struct dlc_dnnl_convolution dlc_dnnl_convolution;

enum {
    DLC_DNNL_FORWARD = 1,
    DLC_DNNL_BACKWARD_DATA = 2,
    DLC_DNNL_BACKWARD_WEIGHTS = 4,
};

/// Whether oneDNN (`libdnnl.so.2`) could be loaded; the first call loads it.
int dlc_dnnl_is_available(void);

/// `threads`: the OpenMP threads it runs on (oneDNN fixes them when it makes the primitives).
/// NULL when oneDNN is not installed or cannot make one of the `passes` for this geometry (the caller then uses its
/// own kernels). `pad_*` are the zero rows and columns before the first input row and column.
dlc_dnnl_convolution *dlc_dnnl_convolution_create(int batch, int in_height, int in_width, int in_channels,
                                                  int out_channels, int kernel_height, int kernel_width,
                                                  int stride_height, int stride_width, int pad_top, int pad_left,
                                                  int out_height, int out_width, int with_bias, int passes, int threads);
void dlc_dnnl_convolution_destroy(dlc_dnnl_convolution *convolution);

/// y = conv(x, w) (+ bias when created with it); 0 on success.
int dlc_dnnl_convolution_forward(dlc_dnnl_convolution *convolution, const float *x, const float *weights,
                                 const float *bias, float *y, int threads);
/// dx = the gradient of the input from dy.
int dlc_dnnl_convolution_backward_data(dlc_dnnl_convolution *convolution, const float *dy, const float *weights,
                                       float *dx, int threads);
/// dweights = the gradient of the weights from x and dy, written [kh, kw, cin, cout].
int dlc_dnnl_convolution_backward_weights(dlc_dnnl_convolution *convolution, const float *x, const float *dy,
                                          float *weights_gradient, int threads);

/// The implementation oneDNN chose for a pass (such as "brgconv:avx512_core"), or "".
const char *dlc_dnnl_convolution_implementation(const dlc_dnnl_convolution *convolution, int pass);

#endif
