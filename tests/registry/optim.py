"""Optimisers (refnn.optim) against torch.optim, run the same way in both libraries.

A case starts from one parameter tensor (the first input) and takes one step per row of the second input,
that row being the gradient; the output is the final parameter.  torch runs its single-tensor update
(``foreach=False``).  SGD and Adamax are compared exactly (tolerance 0): refnn performs torch's elementwise
operations, fused multiply-adds included (against torch's default, no-SIMD build, which does not fuse,
they take the default tolerance).  The others take a square root, which torch's CPU build takes with MKL's
vector sqrt (not correctly rounded: one float32 result in six is one ulp off the IEEE square root refnn
takes); they are held to the default tolerance (tests/test_optim.py holds them bit-identical when torch's
sqrt is replaced by the IEEE one).
"""
from tests.harness import OpCase, T

STEPS = 25
EXACT_REASON = ("bit-identical to torch's single-tensor update: the same IEEE operations per element, "
                "fused multiply-adds included")


def _torch_fuses():
    """Whether torch's CPU kernels fuse multiply-adds: its AVX2/AVX-512 builds do; its default (no-SIMD)
    build, e.g. under ATEN_CPU_CAPABILITY=default, rounds the product first, and differs from refnn (and
    from itself) by an ulp there: SGD and Adamax then take the default tolerance."""
    import torch
    return torch.backends.cpu.get_cpu_capability() != "DEFAULT"


EXACT = {"SGD", "Adamax"} if _torch_fuses() else set()


def _is_torch(F):
    return F.__name__.startswith("torch")


def _run(name, kwargs):
    def call(F, param, grads):
        if _is_torch(F):
            import torch
            p = torch.nn.Parameter(param.detach().clone())
            optimizer = getattr(torch.optim, name)([p], foreach=False, **kwargs)
            for g in grads:
                p.grad = g.detach().clone()
                optimizer.step()
            return p.detach()
        import refnn
        p = refnn.nn.Parameter(param.data.copy())
        optimizer = getattr(refnn.optim, name)([p], **kwargs)
        for g in grads.data:
            p.grad = refnn.Tensor(g.copy())
            optimizer.step()
        return p.detach()
    return call


OPTIONS = {
    "SGD": [dict(lr=0.1), dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01),
            dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)],
    "Adam": [dict(), dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, amsgrad=True, maximize=True),
             dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.01, betas=(0.3, 0.6))],
    "AdamW": [dict(), dict(lr=0.01, weight_decay=0.3, amsgrad=True)],
    "RMSprop": [dict(), dict(lr=0.01, centered=True), dict(lr=0.01, momentum=0.9, weight_decay=0.1),
                dict(lr=0.01, momentum=0.9, centered=True, maximize=True)],
    "Adagrad": [dict(), dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)],
    "Adamax": [dict(), dict(lr=0.01, betas=(0.7, 0.9), weight_decay=0.1, maximize=True)],
    "NAdam": [dict(), dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1),
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)],
    "RAdam": [dict(), dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1),
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)],
}


def _desc(kwargs):
    return ",".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"


CASES = [
    OpCase(op=f"optim.{name}", desc=_desc(kwargs), call=_run(name, kwargs), grad=False,
           args=(T((7, 9), low=-2, high=2), T((STEPS, 7, 9), low=-3, high=3)),
           tol={"float32": (0.0, 0.0), "float64": (0.0, 0.0)} if name in EXACT else None,
           tol_reason=EXACT_REASON if name in EXACT else None)
    for name, options in OPTIONS.items() for kwargs in options
]
