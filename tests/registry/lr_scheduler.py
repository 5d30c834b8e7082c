"""Learning-rate schedulers (refnn.optim.lr_scheduler) against torch's: the learning rates of two parameter
groups over 200 steps, compared exactly (tolerance 0): both compute them with the same Python float
arithmetic.  The output is a float64 tensor of every step's rates (and, for the schedulers that cycle it,
the momentum)."""
from tests.harness import OpCase

STEPS = 200
EXACT_REASON = "the same Python float arithmetic as torch's scheduler: the rates are equal as floats"


def _run(build, metrics=None):
    def call(F):
        if F.__name__.startswith("torch"):
            import torch as lib
            params = [lib.nn.Parameter(lib.zeros(2)) for _ in range(2)]
            as_tensor = lambda values: lib.tensor(values, dtype=lib.float64)  # noqa: E731
        else:
            import numpy as np

            import refnn as lib
            params = [lib.nn.Parameter(np.zeros(2, np.float32)) for _ in range(2)]
            as_tensor = lambda values: lib.tensor(np.array(values, dtype=np.float64))  # noqa: E731
        optimizer = lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.2}], lr=0.1,
                                  momentum=0.9)
        scheduler = build(lib.optim.lr_scheduler, optimizer)
        rows = []
        for step in range(STEPS):
            optimizer.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics(step))
            rows.append(list(scheduler.get_last_lr()) + [g["momentum"] for g in optimizer.param_groups])
        return as_tensor(rows)
    return call


def _plateau_metric(step):
    return 1.0 / (1 + step // 7) + (0.3 if step % 11 == 0 else 0.0)


SCHEDULERS = [
    ("StepLR", "step_size=7,gamma=0.7", lambda S, o: S.StepLR(o, step_size=7, gamma=0.7)),
    ("MultiStepLR", "milestones=[10,30,30,120]", lambda S, o: S.MultiStepLR(o, [10, 30, 30, 120], gamma=0.3)),
    ("ConstantLR", "factor=0.3,total_iters=17", lambda S, o: S.ConstantLR(o, factor=0.3, total_iters=17)),
    ("LinearLR", "0.1->0.9 over 57", lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.9,
                                                              total_iters=57)),
    ("ExponentialLR", "gamma=0.97", lambda S, o: S.ExponentialLR(o, gamma=0.97)),
    ("PolynomialLR", "total_iters=150,power=1.7", lambda S, o: S.PolynomialLR(o, total_iters=150, power=1.7)),
    ("CosineAnnealingLR", "T_max=33,eta_min=1e-4", lambda S, o: S.CosineAnnealingLR(o, T_max=33, eta_min=1e-4)),
    ("CosineAnnealingWarmRestarts", "T_0=10,T_mult=2",
     lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3)),
    ("CyclicLR", "triangular", lambda S, o: S.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=13, step_size_down=29)),
    ("CyclicLR", "triangular2", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=9, mode="triangular2")),
    ("CyclicLR", "exp_range", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=9, mode="exp_range",
                                                      gamma=0.99)),
    ("OneCycleLR", "cos", lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=201)),
    ("OneCycleLR", "linear,three_phase", lambda S, o: S.OneCycleLR(o, max_lr=0.5, epochs=4, steps_per_epoch=51,
                                                                  anneal_strategy="linear", three_phase=True)),
    ("LambdaLR", "0.95**epoch", lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e)),
    ("MultiplicativeLR", "0.99", lambda S, o: S.MultiplicativeLR(o, lambda e: 0.99)),
    ("SequentialLR", "Linear,Cosine,Exponential",
     lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, total_iters=10),
                                     S.CosineAnnealingLR(o, T_max=50), S.ExponentialLR(o, gamma=0.98)],
                                 milestones=[10, 90])),
    ("ChainedScheduler", "Constant,Exponential",
     lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=20), S.ExponentialLR(o, gamma=0.99)])),
]

CASES = [
    OpCase(op=f"lr_scheduler.{name}", desc=desc, call=_run(build), grad=False, dtypes=("float64",),
           tol={"float64": (0.0, 0.0)}, tol_reason=EXACT_REASON)
    for name, desc, build in SCHEDULERS
] + [
    OpCase(op="lr_scheduler.ReduceLROnPlateau", desc=f"mode={mode},threshold_mode={tm}", grad=False,
           call=_run(lambda S, o, mode=mode, tm=tm: S.ReduceLROnPlateau(
               o, mode=mode, factor=0.5, patience=3, threshold=0.01, threshold_mode=tm, cooldown=2,
               min_lr=[1e-3, 1e-4]), metrics=_plateau_metric),
           dtypes=("float64",), tol={"float64": (0.0, 0.0)}, tol_reason=EXACT_REASON)
    for mode in ("min", "max") for tm in ("rel", "abs")
]
