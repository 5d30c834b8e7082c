"""refnn.optim.lr_scheduler against torch.optim.lr_scheduler: the learning rates (and cycled momenta) of 200
steps equal torch's exactly (both do the same Python float arithmetic), and so do the state_dicts."""
import math
import warnings

import numpy as np
import pytest
import torch

import refnn


class Halve:
    """A callable object: its __dict__ goes into the state_dict, as torch saves it."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor ** (epoch // 40)


def _sgd(lib, groups=2):
    make = (lambda: torch.nn.Parameter(torch.zeros(2))) if lib is torch else \
        (lambda: refnn.nn.Parameter(np.zeros(2, np.float32)))
    return lib.optim.SGD([{"params": [make()], "lr": 0.1 * (i + 1)} for i in range(groups)], lr=0.1, momentum=0.9)


def _adam(lib):
    make = (lambda: torch.nn.Parameter(torch.zeros(2))) if lib is torch else \
        (lambda: refnn.nn.Parameter(np.zeros(2, np.float32)))
    return lib.optim.Adam([make()], lr=0.01)


# name -> builds the scheduler on the given library's optimizer
CASES = {
    "StepLR": lambda L, o: L.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.7),
    "MultiStepLR": lambda L, o: L.optim.lr_scheduler.MultiStepLR(o, milestones=[10, 30, 30, 120], gamma=0.3),
    "ConstantLR": lambda L, o: L.optim.lr_scheduler.ConstantLR(o, factor=0.3, total_iters=17),
    "LinearLR": lambda L, o: L.optim.lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=57),
    "ExponentialLR": lambda L, o: L.optim.lr_scheduler.ExponentialLR(o, gamma=0.97),
    "PolynomialLR": lambda L, o: L.optim.lr_scheduler.PolynomialLR(o, total_iters=150, power=1.7),
    "CosineAnnealingLR": lambda L, o: L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=33, eta_min=1e-4),
    "CosineAnnealingWarmRestarts": lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-3),
    "CyclicLR": lambda L, o: L.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=13,
                                                           step_size_down=29),
    "CyclicLR-triangular2": lambda L, o: L.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=9,
                                                                       mode="triangular2"),
    "CyclicLR-exp_range": lambda L, o: L.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=9,
                                                                     mode="exp_range", gamma=0.99),
    "OneCycleLR": lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=201),
    "OneCycleLR-linear-3phase": lambda L, o: L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.5, epochs=4, steps_per_epoch=51, anneal_strategy="linear", three_phase=True, pct_start=0.25),
    "LambdaLR": lambda L, o: L.optim.lr_scheduler.LambdaLR(o, [lambda e: 0.95 ** e, Halve()]),
    "MultiplicativeLR": lambda L, o: L.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.99),
    "SequentialLR": lambda L, o: L.optim.lr_scheduler.SequentialLR(
        o, [L.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=10),
            L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50),
            L.optim.lr_scheduler.ExponentialLR(o, gamma=0.98)], milestones=[10, 90]),
    "ChainedScheduler": lambda L, o: L.optim.lr_scheduler.ChainedScheduler(
        [L.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=20),
         L.optim.lr_scheduler.ExponentialLR(o, gamma=0.99)]),
}


def _plain(value):
    """A state_dict value with schedulers' callables and Counters reduced to comparable data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "_scale_fn_ref"}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _run(lib, name, make_opt, steps=200):
    opt = make_opt(lib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = CASES[name](lib, opt)
        lrs, momenta = [sched.get_last_lr()], []
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            momenta.append([g.get("momentum", g.get("betas")) for g in opt.param_groups])
    return opt, sched, lrs, momenta


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_rates_and_state_dict_equal_torch(name, opt):
    make_opt = _sgd if opt == "sgd" else _adam
    if opt == "adam" and name in ("OneCycleLR", "CyclicLR", "LambdaLR"):
        make_opt = lambda lib: _sgd(lib)  # noqa: E731  per-group lists need two groups
    topt, tsched, tlrs, tmom = _run(torch, name, make_opt)
    ropt, rsched, rlrs, rmom = _run(refnn, name, make_opt)
    assert rlrs == tlrs
    assert rmom == tmom
    tsd, rsd = tsched.state_dict(), rsched.state_dict()
    assert list(rsd) == list(tsd)
    assert _plain(rsd) == _plain(tsd)
    for tg, rg in zip(topt.param_groups, ropt.param_groups):
        assert {k: v for k, v in rg.items() if k not in ("params", "foreach")} == \
            {k: v for k, v in tg.items() if k not in ("params", "foreach")}


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                                  "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts"])
def test_step_with_epoch_uses_the_closed_form_as_torch(name):
    out = []
    for lib in (torch, refnn):
        opt = _sgd(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = CASES[name](lib, opt)
            lrs = []
            for epoch in [3, 1, 17, 60, 59, 150, 7]:
                sched.step(epoch)
                lrs.append(sched.get_last_lr())
        out.append(lrs)
    assert out[0] == out[1]


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("min", "abs"), ("max", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau_equals_torch(mode, threshold_mode):
    rng = np.random.default_rng(0)
    metrics = np.cumsum(rng.standard_normal(200) * 0.1) + np.sin(np.arange(200) / 9)
    result = []
    for lib in (torch, refnn):
        opt = _sgd(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.5, patience=3,
                                                         threshold=0.01, threshold_mode=threshold_mode,
                                                         cooldown=2, min_lr=[1e-3, 1e-4])
        lrs = []
        for m in metrics:
            opt.step()
            sched.step(float(m))
            lrs.append(sched.get_last_lr())
        result.append((lrs, sched.state_dict()))
    assert result[1][0] == result[0][0]
    assert result[1][1] == result[0][1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_dict_round_trip_resumes_the_schedule(name):
    """A torch scheduler's state_dict loaded into refnn's (after 70 steps) continues with torch's rates."""
    topt, tsched, _, _ = _run(torch, name, _sgd, steps=70)
    ropt = _sgd(refnn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rsched = CASES[name](refnn, ropt)
        for tg, rg in zip(topt.param_groups, ropt.param_groups):
            rg.update({k: v for k, v in tg.items() if k != "params"})
        rsched.load_state_dict(tsched.state_dict())
        tl, rl = [], []
        for _ in range(60):
            topt.step()
            tsched.step()
            ropt.step()
            rsched.step()
            tl.append(tsched.get_last_lr())
            rl.append(rsched.get_last_lr())
    assert rl == tl


def test_errors_match_torch():
    cases = [
        lambda L, o: L.optim.lr_scheduler.ConstantLR(o, factor=1.5),
        lambda L, o: L.optim.lr_scheduler.LinearLR(o, start_factor=0),
        lambda L, o: L.optim.lr_scheduler.LinearLR(o, end_factor=2),
        lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, 0.1),
        lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5),
        lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="x"),
        lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, [0.1], total_steps=10),
        lambda L, o: L.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="x"),
        lambda L, o: L.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
        lambda L, o: L.optim.lr_scheduler.ReduceLROnPlateau(o, mode="x"),
        lambda L, o: L.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
        lambda L, o: L.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
        lambda L, o: L.optim.lr_scheduler.SequentialLR(o, [L.optim.lr_scheduler.StepLR(o, 2)], milestones=[3]),
        lambda L, o: L.optim.lr_scheduler.StepLR(o, 2, last_epoch=5),
    ]
    for make in cases:
        errors = []
        for lib in (torch, refnn):
            opt = _sgd(lib)
            with pytest.raises((ValueError, TypeError, KeyError)) as info:
                make(lib, opt)
            errors.append((info.type, str(info.value)))
        assert errors[1] == errors[0]
    opt = _sgd(refnn)
    sched = refnn.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=3)
    for _ in range(2):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
        sched.step()
    with pytest.raises(TypeError, match="SGD is not an Optimizer|list is not an Optimizer"):
        refnn.optim.lr_scheduler.StepLR([], 2)


def test_stepping_the_scheduler_first_warns_as_torch():
    for lib in (torch, refnn):
        opt = _sgd(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
            sched.step()


def test_cosine_annealing_reaches_eta_min():
    opt = _sgd(refnn, groups=1)
    sched = refnn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    for _ in range(10):
        opt.step()
        sched.step()
    assert math.isclose(sched.get_last_lr()[0], 0.001, rel_tol=1e-12)


def test_reduce_lr_on_plateau_takes_a_loss_tensor():
    opt = _sgd(refnn, groups=1)
    sched = refnn.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(refnn.tensor(1.0))
    sched.step(refnn.tensor(np.float32(2.0)))
    assert sched.get_last_lr() == [0.1 * 0.1]
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        sched.step(refnn.tensor([1.0, 2.0]))
