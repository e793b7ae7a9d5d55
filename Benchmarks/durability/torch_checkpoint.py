"""What a PyTorch user's per-epoch checkpoint of the MNIST MLP costs, beside dlc's training state.

The same model as specs/mnist-mlp.yaml (784-256-256-10, Adam after one step, so its moments exist),
saved as a PyTorch training loop saves it for resuming: `torch.save` of the model's and the
optimizer's `state_dict`, the epoch and the RNG state, to a temporary file then `os.replace`
(atomic, like dlc's), with `fsync` as dlc does. Prints the median and range over 30 saves, in ms.

    /root/torchvenv/bin/python Benchmarks/durability/torch_checkpoint.py
"""
import os
import statistics
import tempfile
import time

import torch

torch.set_num_threads(2)
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss = torch.nn.functional.cross_entropy(model(torch.randn(128, 1, 28, 28)), torch.randint(0, 10, (128,)))
loss.backward()
optimizer.step()

folder = tempfile.mkdtemp()
path = os.path.join(folder, "training-state.pt")
times = []
for _ in range(30):
    start = time.perf_counter()
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1,
                    "rng": torch.get_rng_state()}, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    times.append((time.perf_counter() - start) * 1000)
print(f"torch.save of model + Adam state ({os.path.getsize(path)} bytes): median {statistics.median(times):.1f} ms, "
      f"range {min(times):.1f} to {max(times):.1f} ms over {len(times)} saves")
