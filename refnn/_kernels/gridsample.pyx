# Legend: N batch, C channels, D/H/W the input's depth, height and width (a 2-d input has D = 1),
#         P the grid's points (OD * OH * OW), K the coordinates per point (2: x, y; 3: x, y, z),
#         ix/iy/iz a point's source position in pixels.
"""grid_sample (bilinear / trilinear, nearest, bicubic) and affine_grid, with their gradients.

A grid point's coordinates go through ATen's rules: unnormalise ((c + 1) / 2 * (size - 1) with
align_corners, ((c + 1) * size - 1) / 2 without), then the padding mode (border: clip to [0, size - 1],
a NaN going to size - 1 as ATen's std::min/std::max put it; reflection: reflect about the borders (the
pixel centres with align_corners, the edges without), then clip), then a coordinate that is not finite
or beyond the int range becomes -100 (outside, so it reads zeros).  These are torch's 3-d rules; its 2-d
kernel answers differently for non-finite coordinates, and refnn uses the 3-d rules for both
(tests/test_gridsample_units.py); the gradients are those of the values refnn returns.  Nearest rounds half to even (C's nearbyint).  Bicubic (2-d only) uses torch's cubic convolution
(A = -0.75) on the 4 x 4 taps around the point, each tap's position padded on its own.

A 2-d sample runs through the 3-d loops with D = 1 and iz = 0: its back taps (iz = 1) fall outside and
its front weights are multiplied by (1 - 0) = 1, exactly.

Summation orders (each fixed, each output written by one thread):
- forward: each output sums its taps from +0.0 in the order tnw, tne, tsw, tse, bnw, bne, bsw, bse
  (bicubic: each of the 4 rows across x, then the 4 row values down y);
- grad_input: each batch element (one thread) adds the grid points' contributions in point order, and
  within a point in the tap order above;
- grad_grid: each point (one thread) sums over channels ascending, within a channel over the taps in the
  order above, then multiplies by the coordinate's derivative (unnormalise x padding);
- affine_grid: grid = (x * theta[i, 0] + y * theta[i, 1] (+ z * theta[i, 2])) + theta[i, K];
  grad_theta[i, j] sums over the points in order from +0.0.
"""
from libc.math cimport floor, fabs, fmod, nearbyint, isfinite
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double

cdef enum:
    BILINEAR = 0
    NEAREST = 1
    BICUBIC = 2
    ZEROS = 0
    BORDER = 1
    REFLECTION = 2

cdef double INT_LIMIT = 2147483647.0


cdef inline floating _unnormalize(floating coord, Py_ssize_t size, bint align, floating* grad) noexcept nogil:
    if align:
        grad[0] = <floating>(size - 1) / 2
        return ((coord + 1) / 2) * <floating>(size - 1)
    grad[0] = <floating>size / 2
    return ((coord + 1) * <floating>size - 1) / 2


cdef inline floating _clip(floating x, Py_ssize_t size, floating* grad) noexcept nogil:
    """Clip to [0, size - 1]; the borders count as outside for the gradient (0 there)."""
    cdef floating top = <floating>(size - 1)
    if x <= 0:
        grad[0] = 0
        return 0
    if x >= top:
        grad[0] = 0
        return top
    if x != x:                      # NaN: std::min(top, std::max(NaN, 0)) is top
        grad[0] = 0
        return top
    grad[0] = 1
    return x


cdef inline floating _reflect(floating x, Py_ssize_t twice_low, Py_ssize_t twice_high, floating* grad) noexcept nogil:
    """Reflect about low and high (given doubled, so half-integers are exact) until inside."""
    cdef floating low, span, extra
    cdef int flips
    cdef floating sign = 1
    if twice_low == twice_high:
        grad[0] = 0
        return 0
    low = <floating>twice_low / 2
    span = <floating>(twice_high - twice_low) / 2
    x = x - low
    if x < 0:
        sign = -1
        x = -x
    extra = fmod(x, span)
    flips = <int>floor(x / span)
    if flips % 2 == 0:
        grad[0] = sign
        return extra + low
    grad[0] = -sign
    return span - extra + low


cdef inline floating _downgrade(floating x) noexcept nogil:
    """A coordinate outside the int range (or not finite) becomes -100: outside, and safe to floor."""
    if not isfinite(x) or x > INT_LIMIT - 1 or x < -INT_LIMIT - 1:
        return -100
    return x


cdef inline floating _pad_coordinate(floating x, Py_ssize_t size, int padding, bint align, floating* grad) noexcept nogil:
    """The padding mode applied to a position in pixels; grad = its derivative."""
    cdef floating g_clip, g_refl
    grad[0] = 1
    if padding == BORDER:
        x = _clip(x, size, &g_clip)
        grad[0] = g_clip
    elif padding == REFLECTION:
        if align:
            x = _reflect(x, 0, 2 * (size - 1), &g_refl)
        else:
            x = _reflect(x, -1, 2 * size - 1, &g_refl)
        x = _clip(x, size, &g_clip)
        grad[0] = g_refl * g_clip
    return _downgrade(x)


cdef inline floating _source(floating coord, Py_ssize_t size, int padding, bint align, floating* grad) noexcept nogil:
    """Grid coordinate -> source position in pixels (unnormalise, then pad); grad = d position / d coord."""
    cdef floating g_unnorm, g_pad
    coord = _unnormalize(coord, size, align, &g_unnorm)
    coord = _pad_coordinate(coord, size, padding, align, &g_pad)
    grad[0] = g_unnorm * g_pad
    return coord


cdef inline bint _inside(Py_ssize_t z, Py_ssize_t y, Py_ssize_t x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W) noexcept nogil:
    return 0 <= z < D and 0 <= y < H and 0 <= x < W


cdef inline void _cubic_weights(floating t, floating* w) noexcept nogil:
    """torch's cubic convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 from floor."""
    cdef floating A = -0.75
    cdef floating x = t + 1
    w[0] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    x = t
    w[1] = ((A + 2) * x - (A + 3)) * x * x + 1
    x = 1 - t
    w[2] = ((A + 2) * x - (A + 3)) * x * x + 1
    x = 2 - t
    w[3] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A


cdef inline void _cubic_weight_grads(floating t, floating* w) noexcept nogil:
    """d weight / d t of the four cubic weights (torch's get_cubic_coefficients_grad)."""
    cdef floating A = -0.75
    cdef floating x = -1 - t
    w[0] = (-3 * A * x - 10 * A) * x - 8 * A
    x = -t
    w[1] = (-3 * (A + 2) * x - 2 * (A + 3)) * x
    x = 1 - t
    w[2] = (3 * (A + 2) * x - 2 * (A + 3)) * x
    x = 2 - t
    w[3] = (3 * A * x - 10 * A) * x + 8 * A


cdef inline Py_ssize_t _cubic_tap(floating position, Py_ssize_t size, int padding, bint align) noexcept nogil:
    """A bicubic tap's index after its own padding (-1 when outside)."""
    cdef floating g
    cdef Py_ssize_t i = <Py_ssize_t>_pad_coordinate(position, size, padding, align, &g)
    if i < 0 or i >= size:
        return -1
    return i


cdef inline void _corners(floating ix, floating iy, floating iz, Py_ssize_t* i0, floating* weight) noexcept nogil:
    """Lower corner (x0, y0, z0) and the 8 trilinear weights tnw, tne, tsw, tse, bnw, bne, bsw, bse."""
    cdef Py_ssize_t x0 = <Py_ssize_t>floor(ix), y0 = <Py_ssize_t>floor(iy), z0 = <Py_ssize_t>floor(iz)
    cdef floating x1 = <floating>(x0 + 1), y1 = <floating>(y0 + 1), z1 = <floating>(z0 + 1)
    i0[0] = x0
    i0[1] = y0
    i0[2] = z0
    weight[0] = (x1 - ix) * (y1 - iy) * (z1 - iz)
    weight[1] = (ix - x0) * (y1 - iy) * (z1 - iz)
    weight[2] = (x1 - ix) * (iy - y0) * (z1 - iz)
    weight[3] = (ix - x0) * (iy - y0) * (z1 - iz)
    weight[4] = (x1 - ix) * (y1 - iy) * (iz - z0)
    weight[5] = (ix - x0) * (y1 - iy) * (iz - z0)
    weight[6] = (x1 - ix) * (iy - y0) * (iz - z0)
    weight[7] = (ix - x0) * (iy - y0) * (iz - z0)


cdef inline void _point(const floating[:, :, ::1] grid, Py_ssize_t n, Py_ssize_t p, Py_ssize_t D, Py_ssize_t H,
                        Py_ssize_t W, int padding, bint align, floating* pos, floating* mult) noexcept nogil:
    """Source position (ix, iy, iz) of grid point p and the derivative of each by its coordinate."""
    pos[0] = _source(grid[n, p, 0], W, padding, align, &mult[0])
    pos[1] = _source(grid[n, p, 1], H, padding, align, &mult[1])
    if grid.shape[2] == 3:
        pos[2] = _source(grid[n, p, 2], D, padding, align, &mult[2])
    else:
        pos[2] = 0
        mult[2] = 0


cdef void _sample_point(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grid, floating[:, :, ::1] out,
                        Py_ssize_t n, Py_ssize_t p, int mode, int padding, bint align) noexcept nogil:
    """out[n, :, p]: every channel of the input sampled at grid point p."""
    cdef Py_ssize_t C = x.shape[1], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef Py_ssize_t c, t, i, j, xi, yi, zi
    cdef Py_ssize_t i0[3]
    cdef Py_ssize_t cols[4]
    cdef Py_ssize_t rows[4]
    cdef floating pos[3]
    cdef floating mult[3]
    cdef floating weight[8]
    cdef floating wx[4]
    cdef floating wy[4]
    cdef floating total, across, value, ux, uy, g
    cdef Py_ssize_t taps
    cdef Py_ssize_t offset[8]
    cdef const floating* plane
    if mode == BICUBIC:
        ux = _downgrade(_unnormalize(grid[n, p, 0], W, align, &g))
        uy = _downgrade(_unnormalize(grid[n, p, 1], H, align, &g))
        _cubic_weights(ux - floor(ux), wx)
        _cubic_weights(uy - floor(uy), wy)
        for t in range(4):
            cols[t] = _cubic_tap(floor(ux) - 1 + t, W, padding, align)
            rows[t] = _cubic_tap(floor(uy) - 1 + t, H, padding, align)
        for c in range(C):
            total = 0
            for i in range(4):
                across = 0
                for j in range(4):
                    value = 0
                    if rows[i] >= 0 and cols[j] >= 0:
                        value = x[n, c, 0, rows[i], cols[j]]
                    across = across + value * wx[j]
                total = total + across * wy[i]
            out[n, c, p] = total
        return
    _point(grid, n, p, D, H, W, padding, align, pos, mult)
    if mode == NEAREST:
        xi = <Py_ssize_t>nearbyint(pos[0])
        yi = <Py_ssize_t>nearbyint(pos[1])
        zi = <Py_ssize_t>nearbyint(pos[2])
        for c in range(C):
            if _inside(zi, yi, xi, D, H, W):
                out[n, c, p] = x[n, c, zi, yi, xi]
            else:
                out[n, c, p] = 0
        return
    _corners(pos[0], pos[1], pos[2], i0, weight)
    taps = 0                        # the taps inside, in order: their offsets in a channel plane
    for t in range(8):
        zi = i0[2] + t // 4
        yi = i0[1] + (t // 2) % 2
        xi = i0[0] + t % 2
        if _inside(zi, yi, xi, D, H, W):
            offset[taps] = (zi * H + yi) * W + xi
            weight[taps] = weight[t]
            taps = taps + 1
    if C == 0:
        return
    plane = &x[n, 0, 0, 0, 0]
    for c in range(C):
        total = 0
        for t in range(taps):
            total = total + plane[offset[t]] * weight[t]
        out[n, c, p] = total
        plane = plane + D * H * W


def grid_sample_fwd_spec(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grid, floating[:, :, ::1] out,
                         int mode, int padding, bint align, int num_threads):
    """out[n, c, p] = the input sampled at grid point p (the module docstring's rules and order): the
    specification, one point at a time (grid_sample_fwd is its blocked form)."""
    cdef Py_ssize_t N = x.shape[0], P = grid.shape[1], row
    for row in prange(N * P, nogil=True, num_threads=num_threads, schedule="static"):
        _sample_point(x, grid, out, row // P, row % P, mode, padding, align)


cdef void _scatter_batch(const floating[:, :, ::1] grad_out, const floating[:, :, ::1] grid,
                         floating[:, :, :, :, ::1] grad_in, Py_ssize_t n, int mode, int padding,
                         bint align) noexcept nogil:
    """grad_in[n] = the sum of every point's grad_out times its tap weights: points in order, within a
    point the taps in order (each (n, c) plane element so receives its terms in (point, tap) order)."""
    cdef Py_ssize_t C = grad_in.shape[1], D = grad_in.shape[2], H = grad_in.shape[3], W = grad_in.shape[4]
    cdef Py_ssize_t P = grid.shape[1], volume = D * H * W
    cdef Py_ssize_t p, t, i, j, c, xi, yi, zi, taps
    cdef Py_ssize_t i0[3]
    cdef Py_ssize_t cols[4]
    cdef Py_ssize_t rows[4]
    cdef Py_ssize_t offset[16]
    cdef floating first[16]
    cdef floating second[16]
    cdef floating pos[3]
    cdef floating mult[3]
    cdef floating weight[8]
    cdef floating wx[4]
    cdef floating wy[4]
    cdef floating g, ux, uy, dummy
    cdef floating* plane
    for c in range(C):
        for zi in range(D):
            for yi in range(H):
                for xi in range(W):
                    grad_in[n, c, zi, yi, xi] = 0
    if C == 0:
        return
    for p in range(P):
        taps = 0
        if mode == BICUBIC:
            ux = _downgrade(_unnormalize(grid[n, p, 0], W, align, &dummy))
            uy = _downgrade(_unnormalize(grid[n, p, 1], H, align, &dummy))
            _cubic_weights(ux - floor(ux), wx)
            _cubic_weights(uy - floor(uy), wy)
            for t in range(4):
                cols[t] = _cubic_tap(floor(ux) - 1 + t, W, padding, align)
                rows[t] = _cubic_tap(floor(uy) - 1 + t, H, padding, align)
            for j in range(4):              # torch's order: x tap outer, y tap inner
                for i in range(4):
                    if rows[i] >= 0 and cols[j] >= 0:
                        offset[taps] = rows[i] * W + cols[j]
                        first[taps] = wx[j]
                        second[taps] = wy[i]
                        taps = taps + 1
            plane = &grad_in[n, 0, 0, 0, 0]
            for c in range(C):
                g = grad_out[n, c, p]
                for t in range(taps):
                    plane[offset[t]] += g * first[t] * second[t]
                plane = plane + volume
            continue
        _point(grid, n, p, D, H, W, padding, align, pos, mult)
        if mode == NEAREST:
            xi = <Py_ssize_t>nearbyint(pos[0])
            yi = <Py_ssize_t>nearbyint(pos[1])
            zi = <Py_ssize_t>nearbyint(pos[2])
            if _inside(zi, yi, xi, D, H, W):
                offset[0] = (zi * H + yi) * W + xi
                plane = &grad_in[n, 0, 0, 0, 0]
                for c in range(C):
                    plane[offset[0]] += grad_out[n, c, p]
                    plane = plane + volume
            continue
        _corners(pos[0], pos[1], pos[2], i0, weight)
        for t in range(8):
            zi = i0[2] + t // 4
            yi = i0[1] + (t // 2) % 2
            xi = i0[0] + t % 2
            if _inside(zi, yi, xi, D, H, W):
                offset[taps] = (zi * H + yi) * W + xi
                first[taps] = weight[t]
                taps = taps + 1
        plane = &grad_in[n, 0, 0, 0, 0]
        for c in range(C):
            g = grad_out[n, c, p]
            for t in range(taps):
                plane[offset[t]] += first[t] * g
            plane = plane + volume


def grid_sample_bwd_input_spec(const floating[:, :, ::1] grad_out, const floating[:, :, ::1] grid,
                               floating[:, :, :, :, ::1] grad_in, int mode, int padding, bint align,
                               int num_threads):
    """grad_in[n] += each point's grad_out times its tap weights (one thread per batch element): the
    specification (grid_sample_bwd is its blocked form)."""
    cdef Py_ssize_t n
    for n in prange(grad_in.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        _scatter_batch(grad_out, grid, grad_in, n, mode, padding, align)


cdef void _grid_grad_point(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grad_out,
                           const floating[:, :, ::1] grid, floating[:, :, ::1] grad_grid, Py_ssize_t n, Py_ssize_t p,
                           int mode, int padding, bint align) noexcept nogil:
    """grad_grid[n, p, :]: over channels ascending, the taps' value times d weight / d position, times
    the coordinate's derivative (torch's gix -= / += terms, in its order)."""
    cdef Py_ssize_t C = x.shape[1], D = x.shape[2], H = x.shape[3], W = x.shape[4], K = grid.shape[2]
    cdef Py_ssize_t c, t, i, j, xi, yi, zi
    cdef Py_ssize_t i0[3]
    cdef Py_ssize_t cols[4]
    cdef Py_ssize_t rows[4]
    cdef floating pos[3]
    cdef floating mult[3]
    cdef floating weight[8]
    cdef floating wx[4]
    cdef floating wy[4]
    cdef floating dwx[4]
    cdef floating dwy[4]
    cdef floating gx = 0, gy = 0, gz = 0, g, value, ux, uy, dx, dy, dz, ex, ey, ez, fx, fy, fz
    cdef Py_ssize_t taps
    cdef Py_ssize_t offset[8]
    cdef int corner[8]
    cdef floating factor_x[8]
    cdef floating factor_y[8]
    cdef floating factor_z[8]
    cdef const floating* plane
    if mode == NEAREST:
        for t in range(K):
            grad_grid[n, p, t] = 0
        return
    if mode == BICUBIC:
        ux = _downgrade(_unnormalize(grid[n, p, 0], W, align, &mult[0]))
        uy = _downgrade(_unnormalize(grid[n, p, 1], H, align, &mult[1]))
        _cubic_weights(ux - floor(ux), wx)
        _cubic_weights(uy - floor(uy), wy)
        _cubic_weight_grads(ux - floor(ux), dwx)
        _cubic_weight_grads(uy - floor(uy), dwy)
        for t in range(4):
            cols[t] = _cubic_tap(floor(ux) - 1 + t, W, padding, align)
            rows[t] = _cubic_tap(floor(uy) - 1 + t, H, padding, align)
        for c in range(C):
            g = grad_out[n, c, p]
            for j in range(4):
                for i in range(4):
                    value = 0
                    if rows[i] >= 0 and cols[j] >= 0:
                        value = x[n, c, 0, rows[i], cols[j]]
                    gx = gx - value * dwx[j] * wy[i] * g
                    gy = gy - value * dwy[i] * wx[j] * g
        grad_grid[n, p, 0] = mult[0] * gx
        grad_grid[n, p, 1] = mult[1] * gy
        return
    _point(grid, n, p, D, H, W, padding, align, pos, mult)
    _corners(pos[0], pos[1], pos[2], i0, weight)
    # distance to the far (e) and the near (f) corner along each axis: the factors of the weights
    ex = <floating>(i0[0] + 1) - pos[0]
    ey = <floating>(i0[1] + 1) - pos[1]
    ez = <floating>(i0[2] + 1) - pos[2]
    fx = pos[0] - <floating>i0[0]
    fy = pos[1] - <floating>i0[1]
    fz = pos[2] - <floating>i0[2]
    taps = 0                        # the taps inside, in order: offset, factors, which corner
    for t in range(8):
        zi = i0[2] + t // 4
        yi = i0[1] + (t // 2) % 2
        xi = i0[0] + t % 2
        if _inside(zi, yi, xi, D, H, W):
            offset[taps] = (zi * H + yi) * W + xi
            factor_x[taps] = ex if t % 2 == 0 else fx
            factor_y[taps] = ey if (t // 2) % 2 == 0 else fy
            factor_z[taps] = ez if t < 4 else fz
            corner[taps] = t
            taps = taps + 1
    plane = &x[n, 0, 0, 0, 0] if C else NULL
    for c in range(C):
        g = grad_out[n, c, p]
        for i in range(taps):
            t = corner[i]
            value = plane[offset[i]]
            dx = factor_x[i]
            dy = factor_y[i]
            dz = factor_z[i]
            if t % 2 == 0:
                gx = gx - value * dy * dz * g
            else:
                gx = gx + value * dy * dz * g
            if (t // 2) % 2 == 0:
                gy = gy - value * dx * dz * g
            else:
                gy = gy + value * dx * dz * g
            if t < 4:
                gz = gz - value * dx * dy * g
            else:
                gz = gz + value * dx * dy * g
        plane = plane + D * H * W
    grad_grid[n, p, 0] = mult[0] * gx
    grad_grid[n, p, 1] = mult[1] * gy
    if K == 3:
        grad_grid[n, p, 2] = mult[2] * gz


def grid_sample_bwd_grid_spec(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grad_out,
                              const floating[:, :, ::1] grid, floating[:, :, ::1] grad_grid, int mode, int padding,
                              bint align, int num_threads):
    """grad_grid[n, p, k] = d position_k / d coordinate_k * sum_c sum_taps value * d weight / d position_k * grad_out:
    the specification, one point at a time (grid_sample_bwd is its blocked form)."""
    cdef Py_ssize_t P = grid.shape[1], row
    for row in prange(x.shape[0] * P, nogil=True, num_threads=num_threads, schedule="static"):
        _grid_grad_point(x, grad_out, grid, grad_grid, row // P, row % P, mode, padding, align)



# The blocked fast paths (bilinear / trilinear; nearest and bicubic run the specification's loops).
# A thread takes BLOCK consecutive points of one batch element, computes each point's taps once
# (offsets, weights, the factors of the weights' derivatives), then runs the channels with the points
# inner: the outputs of one channel are contiguous, and BLOCK independent sums are in flight instead of
# one.  Each sum takes the same terms in the same order as the specification's, so the bits are equal
# (tests/test_gridsample_spec.py):
# - forward: a tap outside the input adds value 0 (value masked, then times its weight, which is
#   finite and >= 0): a sum that starts from +0.0 is never -0.0, so adding +0.0 changes nothing;
# - grad_grid: gx - v * dy * dz * g is computed as gx + ((v * (-dy)) * dz) * g (a - b is a + (-b), and
#   rounding commutes with negation); a 2-d point's dz is exactly 1 (iz = 0), so that product is left out;
# - grad_input: one thread owns batch element n; within a channel the points run in order and the taps
#   in order, so each element receives its terms in (point, tap) order, as in the specification.
# grad_input and grad_grid are two passes (grid_sample_bwd).  float32's taps (zeros or border padding)
# and its forward and grad_grid channel loops run in refnn_grid_rows.h's AVX2 / AVX-512 builds: the
# positions are unnormalised in double and rounded once, as this file's double literals make Cython's C.
cdef enum:
    BLOCK = 128

cdef Py_ssize_t INT_PLANE = 2147483647      # planes this large (offsets beyond an int) run the specification


cdef Py_ssize_t _block_taps(const floating[:, :, ::1] grid, Py_ssize_t n, Py_ssize_t p0, Py_ssize_t count,
                            Py_ssize_t D, Py_ssize_t H, Py_ssize_t W, int padding, bint align, bint derivatives,
                            int* offset, int* valid, floating* wt, floating* sx, floating* sy,
                            floating* sz, floating* dzs, floating* dys, floating* mult_all) noexcept nogil:
    """Points p0 .. p0 + count - 1: tap t of point q at [t * BLOCK + q] (offset 0 and valid 0 when outside, else valid -1:
    all bits, the mask refnn_grid_rows.h takes; offsets fit an int: the callers check D * H * W < 2**31);
    with derivatives, the signed factors of d weight / d position and each point's d position / d coordinate
    (mult_all[k * BLOCK + q]).  Returns the taps per point (4 for a 2-d grid, 8 for 3-d)."""
    cdef Py_ssize_t T = 8 if grid.shape[2] == 3 else 4
    cdef Py_ssize_t q, t, i, xi, yi, zi
    cdef Py_ssize_t i0[3]
    cdef floating pos[3]
    cdef floating mult[3]
    cdef floating weight[8]
    cdef floating ex, ey, ez, fx, fy, fz, dx, dy, dz
    for q in range(count):
        _point(grid, n, p0 + q, D, H, W, padding, align, pos, mult)
        _corners(pos[0], pos[1], pos[2], i0, weight)
        if derivatives:
            mult_all[q] = mult[0]
            mult_all[BLOCK + q] = mult[1]
            mult_all[2 * BLOCK + q] = mult[2]
            ex = <floating>(i0[0] + 1) - pos[0]
            ey = <floating>(i0[1] + 1) - pos[1]
            ez = <floating>(i0[2] + 1) - pos[2]
            fx = pos[0] - <floating>i0[0]
            fy = pos[1] - <floating>i0[1]
            fz = pos[2] - <floating>i0[2]
        for t in range(T):
            i = t * BLOCK + q
            zi = i0[2] + t // 4
            yi = i0[1] + (t // 2) % 2
            xi = i0[0] + t % 2
            if _inside(zi, yi, xi, D, H, W):
                offset[i] = <int>((zi * H + yi) * W + xi)
                valid[i] = -1
            else:
                offset[i] = 0
                valid[i] = 0
            wt[i] = weight[t]
            if derivatives:
                dx = ex if t % 2 == 0 else fx
                dy = ey if (t // 2) % 2 == 0 else fy
                dz = ez if t < 4 else fz
                sx[i] = -dy if t % 2 == 0 else dy
                sy[i] = -dx if (t // 2) % 2 == 0 else dx
                sz[i] = -dx if t < 4 else dx
                dzs[i] = dz
                dys[i] = dy
    return T


cdef extern from "refnn_grid_rows.h" nogil:
    int refnn_gs_init(int max_level)
    float refnn_gs_keep_float(float v, int keep) noexcept nogil
    double refnn_gs_keep_double(double v, int keep) noexcept nogil
    void refnn_gs_fwd_channel_float(const float* plane, const int* offset, const int* keep, const float* wt,
                                    float* out, Py_ssize_t count, int taps, Py_ssize_t stride) noexcept nogil
    void refnn_gs_fwd_channel_double(const double* plane, const int* offset, const int* keep, const double* wt,
                                     double* out, Py_ssize_t count, int taps, Py_ssize_t stride) noexcept nogil
    int refnn_gs_taps_float(const float* grid, Py_ssize_t count, int K, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                            int padding, int align, int derivatives, int* offset, int* valid, float* wt, float* sx,
                            float* sy, float* sz, float* dzs, float* dys, float* mult, Py_ssize_t stride) noexcept nogil
    int refnn_gs_grad_channel_float(const float* plane, const int* offset, const int* keep, const float* sx,
                                    const float* sy, const float* sz, const float* dzs, const float* dys,
                                    const float* gorow, float* gx, float* gy, float* gz, Py_ssize_t count, int taps,
                                    Py_ssize_t stride) noexcept nogil

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's build of the forward's channel loop (refnn_grid_rows.h), up to max_level
    (refnn._isa.forced); the level chosen."""
    return refnn_gs_init(max_level)


check_level(refnn_gs_init(MAX_LEVEL), _set_isa_level)


cdef Py_ssize_t _taps(const floating[:, :, ::1] grid, Py_ssize_t n, Py_ssize_t p0, Py_ssize_t count,
                      Py_ssize_t D, Py_ssize_t H, Py_ssize_t W, int padding, bint align, bint derivatives,
                      int* offset, int* valid, floating* wt, floating* sx, floating* sy,
                      floating* sz, floating* dzs, floating* dys, floating* mult_all) noexcept nogil:
    """_block_taps's arrays: float32 with padding zeros or border in the SIMD builds of refnn_grid_rows.h
    (refnn_gs_taps_float, the same bits), else _block_taps itself."""
    cdef int K = <int>grid.shape[2]
    if floating is float:
        if refnn_gs_taps_float(&grid[n, p0, 0], count, K, D, H, W, padding, align, derivatives, offset, valid,
                               wt, sx, sy, sz, dzs, dys, mult_all, BLOCK):
            return 8 if K == 3 else 4
    return _block_taps(grid, n, p0, count, D, H, W, padding, align, derivatives, offset, valid, wt,
                       sx, sy, sz, dzs, dys, mult_all)


cdef void _bilinear_fwd_block(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grid,
                              floating[:, :, ::1] out, Py_ssize_t n, Py_ssize_t p0, Py_ssize_t count, int padding,
                              bint align) noexcept nogil:
    """out[n, :, p0 : p0 + count]: the specification's forward, the points of a channel inner."""
    cdef Py_ssize_t C = x.shape[1], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef int offset[8 * BLOCK]
    cdef int valid[8 * BLOCK]
    cdef floating wt[8 * BLOCK]
    cdef Py_ssize_t T, c
    cdef const floating* plane
    T = _taps(grid, n, p0, count, D, H, W, padding, align, False, offset, valid, wt,
              NULL, NULL, NULL, NULL, NULL, NULL)
    plane = &x[n, 0, 0, 0, 0]
    for c in range(C):
        if floating is float:
            refnn_gs_fwd_channel_float(plane, offset, valid, wt, &out[n, c, p0], count, <int>T, BLOCK)
        else:
            refnn_gs_fwd_channel_double(plane, offset, valid, wt, &out[n, c, p0], count, <int>T, BLOCK)
        plane = plane + D * H * W


def grid_sample_fwd(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grid, floating[:, :, ::1] out,
                    int mode, int padding, bint align, int num_threads):
    """out[n, c, p] = the input sampled at grid point p: grid_sample_fwd_spec's bits, blocks of points."""
    cdef Py_ssize_t N = x.shape[0], P = grid.shape[1], blocks = (P + BLOCK - 1) // BLOCK, task, p0
    if mode != BILINEAR or x.shape[2] * x.shape[3] * x.shape[4] >= INT_PLANE:
        grid_sample_fwd_spec(x, grid, out, mode, padding, align, num_threads)
        return
    if N == 0 or P == 0 or x.shape[1] == 0:
        return
    for task in prange(N * blocks, nogil=True, num_threads=num_threads, schedule="static"):
        p0 = (task % blocks) * BLOCK
        _bilinear_fwd_block(x, grid, out, task // blocks, p0, min(P - p0, <Py_ssize_t>BLOCK), padding, align)


cdef inline floating _keep(floating v, int keep) noexcept nogil:
    if floating is float:
        return refnn_gs_keep_float(v, keep)
    else:
        return refnn_gs_keep_double(v, keep)


cdef inline void _bwd_channel(const floating* plane, const floating* gorow, floating* gplane,
                              const int* offset, const int* valid, const floating* wt,
                              const floating* sx, const floating* sy, const floating* sz, const floating* dzs,
                              const floating* dys, floating* gx, floating* gy, floating* gz, Py_ssize_t count,
                              const int T, const bint scatter, const bint derivatives) noexcept nogil:
    """One channel of a block (T, scatter and derivatives are constants at each call, so the compiler makes
    one loop of each).  A tap outside adds a masked +0.0 to gx, gy, gz (never -0.0: no change) and its
    grad_input term goes to a scratch variable instead of the plane."""
    cdef Py_ssize_t q, t, i
    cdef floating g, value, ax, ay, az, scratch = 0
    cdef floating* target
    for q in range(count):
        g = gorow[q]
        ax = gx[q]
        ay = gy[q]
        az = gz[q]
        for t in range(T):
            i = t * BLOCK + q
            if derivatives:
                value = plane[offset[i]]
                if T == 4:
                    ax = ax + _keep((value * sx[i]) * g, valid[i])
                    ay = ay + _keep((value * sy[i]) * g, valid[i])
                else:
                    ax = ax + _keep(((value * sx[i]) * dzs[i]) * g, valid[i])
                    ay = ay + _keep(((value * sy[i]) * dzs[i]) * g, valid[i])
                    az = az + _keep(((value * sz[i]) * dys[i]) * g, valid[i])
            if scatter:
                target = gplane + offset[i] if valid[i] else &scratch
                target[0] = target[0] + wt[i] * g
        gx[q] = ax
        gy[q] = ay
        gz[q] = az


cdef void _bilinear_bwd_block(const floating* xs, const floating* go, const floating[:, :, ::1] grid,
                              floating* gi, floating* gg, Py_ssize_t C, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                              Py_ssize_t n, Py_ssize_t p0, Py_ssize_t count, int padding, bint align) noexcept nogil:
    """Points p0 .. p0 + count - 1 of batch element n: adds their terms to gi (the (C, D, H, W) grad_input of n,
    when not NULL) or writes their grad_grid rows to gg (grad_grid[n, p0], when not NULL; one of the two).
    xs is x[n], go is grad_out[n] (C, P).  float32's grad_grid terms run refnn_grid_rows.h's gathers in
    its SIMD builds (refnn_gs_grad_channel_float, the same bits)."""
    cdef Py_ssize_t P = grid.shape[1], volume = D * H * W
    cdef int offset[8 * BLOCK]
    cdef int valid[8 * BLOCK]
    cdef floating wt[8 * BLOCK]
    cdef floating sx[8 * BLOCK]
    cdef floating sy[8 * BLOCK]
    cdef floating sz[8 * BLOCK]
    cdef floating dzs[8 * BLOCK]
    cdef floating dys[8 * BLOCK]
    cdef floating mult[3 * BLOCK]
    cdef floating gx[BLOCK]
    cdef floating gy[BLOCK]
    cdef floating gz[BLOCK]
    cdef Py_ssize_t T, K = grid.shape[2], c, q, t, i
    cdef const floating* plane
    cdef floating* gplane
    cdef const floating* gorow
    cdef floating g, value
    cdef bint derivatives = gg != NULL
    cdef bint simd
    T = _taps(grid, n, p0, count, D, H, W, padding, align, derivatives, offset, valid, wt, sx, sy, sz,
              dzs, dys, mult)
    for q in range(count):
        gx[q] = 0
        gy[q] = 0
        gz[q] = 0
    plane = xs
    gplane = gi
    gorow = go + p0
    for c in range(C):
        simd = False
        if floating is float:
            if derivatives:
                simd = refnn_gs_grad_channel_float(plane, offset, valid, sx, sy, sz, dzs, dys, gorow, gx, gy, gz,
                                                   count, <int>T, BLOCK)
        if T == 4:
            if derivatives and not simd:
                _bwd_channel(plane, gorow, gplane, offset, valid, wt, sx, sy, sz, dzs, dys, gx, gy, gz, count, 4, 0, 1)
            if gi != NULL:
                _bwd_channel(plane, gorow, gplane, offset, valid, wt, sx, sy, sz, dzs, dys, gx, gy, gz, count, 4, 1, 0)
        else:
            if derivatives and not simd:
                _bwd_channel(plane, gorow, gplane, offset, valid, wt, sx, sy, sz, dzs, dys, gx, gy, gz, count, 8, 0, 1)
            if gi != NULL:
                _bwd_channel(plane, gorow, gplane, offset, valid, wt, sx, sy, sz, dzs, dys, gx, gy, gz, count, 8, 1, 0)
        plane = plane + volume
        if gi != NULL:
            gplane = gplane + volume
        gorow = gorow + P
    if derivatives:
        for q in range(count):
            gg[q * K] = mult[q] * gx[q]
            gg[q * K + 1] = mult[BLOCK + q] * gy[q]
            if K == 3:
                gg[q * K + 2] = mult[2 * BLOCK + q] * gz[q]


def grid_sample_bwd(const floating[:, :, :, :, ::1] x, const floating[:, :, ::1] grad_out,
                    const floating[:, :, ::1] grid, floating[:, :, :, :, ::1] grad_in, floating[:, :, ::1] grad_grid,
                    int mode, int padding, bint align, int num_threads):
    """grad_in (None: not wanted) and grad_grid (None: not wanted): the bits of grid_sample_bwd_input_spec and
    grid_sample_bwd_grid_spec.  Bilinear: grad_in one thread per batch element, then grad_grid one thread
    per block of points: two passes, each over one of x[n] and grad_in[n] (one pass over both for every
    block falls out of the L2 cache for a few channels of 64 x 64 and ran 1.6x slower)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef Py_ssize_t P = grid.shape[1], K = grid.shape[2], blocks = (P + BLOCK - 1) // BLOCK
    cdef Py_ssize_t n, task, p0, b, volume = D * H * W
    if mode != BILINEAR or volume >= INT_PLANE:
        if grad_in is not None:
            grid_sample_bwd_input_spec(grad_out, grid, grad_in, mode, padding, align, num_threads)
        if grad_grid is not None:
            grid_sample_bwd_grid_spec(x, grad_out, grid, grad_grid, mode, padding, align, num_threads)
        return
    if N == 0:
        return
    if C == 0 or P == 0:
        if grad_in is not None:
            grad_in[...] = 0
        if grad_grid is not None:
            grad_grid[...] = 0
        return
    if grad_in is not None:
        for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
            _zero(&grad_in[n, 0, 0, 0, 0], C * volume)
            for b in range(blocks):
                p0 = b * BLOCK
                _bilinear_bwd_block(&x[n, 0, 0, 0, 0], &grad_out[n, 0, 0], grid, &grad_in[n, 0, 0, 0, 0], NULL,
                                    C, D, H, W, n, p0, min(P - p0, <Py_ssize_t>BLOCK), padding, align)
    if grad_grid is not None:
        for task in prange(N * blocks, nogil=True, num_threads=num_threads, schedule="static"):
            n = task // blocks
            p0 = (task % blocks) * BLOCK
            _bilinear_bwd_block(&x[n, 0, 0, 0, 0], &grad_out[n, 0, 0], grid, NULL, &grad_grid[n, p0, 0],
                                C, D, H, W, n, p0, min(P - p0, <Py_ssize_t>BLOCK), padding, align)


cdef inline void _zero(floating* first, Py_ssize_t count) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(count):
        first[i] = 0


def affine_grid_fwd(const floating[:, :, ::1] theta, const floating[:, ::1] base, floating[:, :, ::1] grid,
                    int num_threads):
    """grid[n, p, i] = sum_j base[p, j] * theta[n, i, j], j ascending (base[p, K] = 1); base is (P, K + 1)."""
    cdef Py_ssize_t N = grid.shape[0], P = grid.shape[1], K = grid.shape[2], row, n, p, i, j
    cdef floating total
    for row in prange(N * P, nogil=True, num_threads=num_threads, schedule="static"):
        n = row // P
        p = row % P
        for i in range(K):
            total = base[p, 0] * theta[n, i, 0]
            for j in range(1, K + 1):
                total = total + base[p, j] * theta[n, i, j]
            grid[n, p, i] = total


def affine_grid_bwd(const floating[:, :, ::1] grad_grid, const floating[:, ::1] base, floating[:, :, ::1] grad_theta,
                    int num_threads):
    """grad_theta[n, i, j] = sum_p base[p, j] * grad_grid[n, p, i], points in order from +0.0."""
    cdef Py_ssize_t N = grad_theta.shape[0], K = grad_theta.shape[1], J = grad_theta.shape[2]
    cdef Py_ssize_t P = grad_grid.shape[1], row, n, i, j, p
    cdef floating total
    for row in prange(N * K * J, nogil=True, num_threads=num_threads, schedule="static"):
        n = row // (K * J)
        i = (row // J) % K
        j = row % J
        total = 0
        for p in range(P):
            total = total + base[p, j] * grad_grid[n, p, i]
        grad_theta[n, i, j] = total
