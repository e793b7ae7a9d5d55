"""Reference numbers for dlc's optimizers, learning-rate schedules and gradient clipping.

Writes optimizers.json next to this file; Tests/DLCRuntimeTests/OptimizerTests read it.
The Swift tests do not need PyTorch; rerun this only to regenerate the JSON:

    python3 -m venv /root/torchvenv && /root/torchvenv/bin/pip install torch   # any PyTorch 2.x, CPU is enough
    /root/torchvenv/bin/python Tests/DLCRuntimeTests/Reference/optimizers.py

Every optimizer case runs torch.optim's single-tensor implementation (foreach=False) in float32 on two
parameter tensors (4 and 2 values), applying 5 steps with the literal gradients below and the learning rate
listed for each step, and records both tensors after every step plus the final optimizer state.
Schedules come from torch.optim.lr_scheduler (LinearLR warmup chained by SequentialLR); the script
asserts they agree with the closed forms that dlc documents. Clipping uses torch.nn.utils.clip_grad_norm_.
"""

import json
import math
import os

import torch

torch.set_default_dtype(torch.float32)

INITIAL_PARAMETERS = [
    [0.5, -1.25, 2.0, 0.0625],
    [-0.75, 1.5],
]

# GRADIENTS[step][tensor]: the gradient handed to step `step` for parameter tensor `tensor`.
GRADIENTS = [
    [[0.1, -0.2, 0.3, -0.4], [0.05, 0.6]],
    [[-0.3, 0.25, 0.125, 0.5], [-0.2, 0.1]],
    [[0.7, -0.05, -0.6, 0.2], [0.3, -0.45]],
    [[0.0, 0.4, -0.1, -0.35], [0.15, 0.2]],
    [[-0.25, -0.3, 0.45, 0.05], [-0.5, 0.35]],
]

# Learning rate of each of the 5 steps, as a fraction of the case's base rate (checks that the rate is read per step).
RATE_FACTORS = [1.0, 1.0, 0.5, 0.5, 0.25]

# (name, dlc configuration). Keys mirror OptimizerConfiguration; every field is spelled out.
DEFAULTS = dict(momentum=0.0, nesterov=False, beta1=0.9, beta2=0.999, epsilon=1e-8,
                weight_decay=0.0, rho=0.99, centered=False)
CASES = [
    ("sgd plain", dict(kind="sgd", learning_rate=0.1)),
    ("sgd momentum", dict(kind="sgd", learning_rate=0.1, momentum=0.9)),
    ("sgd nesterov weight decay", dict(kind="sgd", learning_rate=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("adam default", dict(kind="adam", learning_rate=0.01)),
    ("adam weight decay", dict(kind="adam", learning_rate=0.01, weight_decay=0.1)),
    ("adamw", dict(kind="adamw", learning_rate=0.01, weight_decay=0.01)),
    ("adam small betas", dict(kind="adam", learning_rate=0.05, beta1=0.5, beta2=0.75, epsilon=1e-3)),
    ("rmsprop default", dict(kind="rmsprop", learning_rate=0.01)),
    ("rmsprop centered momentum weight decay",
     dict(kind="rmsprop", learning_rate=0.01, centered=True, momentum=0.9, weight_decay=0.05)),
    ("rmsprop momentum", dict(kind="rmsprop", learning_rate=0.02, momentum=0.5, rho=0.9, epsilon=1e-6)),
]

# PyTorch state key -> dlc state tensor name.
STATE_NAMES = {"momentum_buffer": "momentum", "exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq",
               "square_avg": "square_avg", "grad_avg": "grad_avg"}


def floats(tensor):
    """Exact float32 values as JSON doubles (every float32 is a double, so nothing is rounded)."""
    return [float(x) for x in tensor.detach().reshape(-1).tolist()]


def make_optimizer(config, parameters):
    lr = config["learning_rate"]
    kind = config["kind"]
    if kind == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=config["momentum"], dampening=0,
                               nesterov=config["nesterov"], weight_decay=config["weight_decay"], foreach=False)
    if kind in ("adam", "adamw"):
        optimizer_type = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return optimizer_type(parameters, lr=lr, betas=(config["beta1"], config["beta2"]), eps=config["epsilon"],
                              weight_decay=config["weight_decay"], amsgrad=False, foreach=False)
    if kind == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=config["rho"], eps=config["epsilon"],
                                   weight_decay=config["weight_decay"], momentum=config["momentum"],
                                   centered=config["centered"], foreach=False)
    raise ValueError(kind)


def optimizer_case(name, overrides):
    config = dict(DEFAULTS, **overrides)
    parameters = [torch.nn.Parameter(torch.tensor(values, dtype=torch.float32)) for values in INITIAL_PARAMETERS]
    optimizer = make_optimizer(config, parameters)
    learning_rates, gradients, steps = [], [], []
    for step, step_gradients in enumerate(GRADIENTS):
        rate = config["learning_rate"] * RATE_FACTORS[step]
        for group in optimizer.param_groups:
            group["lr"] = rate
        for parameter, values in zip(parameters, step_gradients):
            parameter.grad = torch.tensor(values, dtype=torch.float32)
        optimizer.step()
        learning_rates.append(rate)
        gradients.append([floats(p.grad) for p in parameters])
        steps.append([floats(p) for p in parameters])
    state = []
    for parameter in parameters:
        tensors = {}
        for key, value in optimizer.state[parameter].items():
            if key in STATE_NAMES and value is not None:
                tensors[STATE_NAMES[key]] = floats(value)
        state.append(tensors)
    return dict(name=name, configuration=config, initial=[floats(torch.tensor(v)) for v in INITIAL_PARAMETERS],
                learning_rates=learning_rates, gradients=gradients, steps=steps, state=state)


def closed_form_rate(base, schedule, epoch, epochs):
    warmup = schedule["warmup_epochs"]
    if epoch < warmup:
        return base * (epoch + 1) / (warmup + 1)
    e = epoch - warmup
    if schedule["kind"] == "step":
        return base * schedule["gamma"] ** (e // schedule["step_size"])
    if schedule["kind"] == "exponential":
        return base * schedule["gamma"] ** e
    total = epochs - warmup
    minimum = schedule["minimum_learning_rate"]
    return minimum + (base - minimum) * (1 + math.cos(math.pi * e / total)) / 2


def schedule_case(name, base, schedule, epochs=10):
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base)
    warmup = schedule["warmup_epochs"]
    schedulers = []
    if warmup > 0:
        # rate * (epoch + 1) / (warmup + 1) for epoch < warmup: LinearLR from 1 / (warmup + 1) over `warmup` epochs.
        schedulers.append(torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1 / (warmup + 1),
                                                            end_factor=1.0, total_iters=warmup))
    if schedule["kind"] == "step":
        schedulers.append(torch.optim.lr_scheduler.StepLR(optimizer, step_size=schedule["step_size"],
                                                          gamma=schedule["gamma"]))
    elif schedule["kind"] == "exponential":
        schedulers.append(torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=schedule["gamma"]))
    else:
        schedulers.append(torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs - warmup,
                                                                     eta_min=schedule["minimum_learning_rate"]))
    if warmup > 0:
        scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers=schedulers, milestones=[warmup])
    else:
        scheduler = schedulers[0]
    rates = []
    for epoch in range(epochs):
        rate = optimizer.param_groups[0]["lr"]
        expected = closed_form_rate(base, schedule, epoch, epochs)
        assert abs(rate - expected) <= 1e-9 + 1e-7 * abs(expected), (name, epoch, rate, expected)
        rates.append(rate)
        optimizer.step()
        scheduler.step()
    return dict(name=name, base=base, epochs=epochs, schedule=schedule, rates=rates)


def clip_case(name, gradients, max_norm):
    parameters = [torch.nn.Parameter(torch.zeros(len(values))) for values in gradients]
    for parameter, values in zip(parameters, gradients):
        parameter.grad = torch.tensor(values, dtype=torch.float32)
    norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm=max_norm)
    return dict(name=name, max_norm=max_norm, gradients=[floats(torch.tensor(v)) for v in gradients],
                norm=float(norm), clipped=[floats(p.grad) for p in parameters])


def main():
    schedules = [
        schedule_case("step", 0.1, dict(kind="step", step_size=3, gamma=0.5, warmup_epochs=0)),
        schedule_case("step warmup", 0.1, dict(kind="step", step_size=2, gamma=0.1, warmup_epochs=2)),
        schedule_case("exponential", 0.05, dict(kind="exponential", gamma=0.8, warmup_epochs=0)),
        schedule_case("exponential warmup", 0.05, dict(kind="exponential", gamma=0.9, warmup_epochs=3)),
        schedule_case("cosine", 0.1, dict(kind="cosine", minimum_learning_rate=0.001, warmup_epochs=0)),
        schedule_case("cosine warmup", 0.01, dict(kind="cosine", minimum_learning_rate=0.0, warmup_epochs=2)),
    ]
    clipping = [
        clip_case("clipped", [[3.0, -4.0, 1.5], [2.0, 0.5]], 1.0),
        clip_case("unclipped", [[0.3, -0.4, 0.15], [0.2, 0.05]], 5.0),
    ]
    document = dict(
        generator="Tests/DLCRuntimeTests/Reference/optimizers.py",
        torch_version=torch.__version__,
        optimizers=[optimizer_case(name, overrides) for name, overrides in CASES],
        schedules=schedules,
        clipping=clipping,
    )
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    with open(path, "w") as file:
        json.dump(document, file, indent=1)
        file.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
