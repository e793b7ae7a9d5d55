"""Reference values for WeightedLossTests: PyTorch's CrossEntropyLoss(weight=w) and the same
per-example class weighting of BCEWithLogitsLoss (sum of w[y] * loss / sum of w[y]), with
their gradients, on fixed logits.

Run: python weighted_losses.py > weighted_losses.json
"""
import json

import torch

torch.set_default_dtype(torch.float64)
logits = torch.tensor([[1.0, -0.5, 0.3], [0.2, 0.1, -1.2], [-0.7, 2.0, 0.4], [0.0, 0.5, 1.5], [1.2, 0.3, 0.3]], requires_grad=True)
labels = torch.tensor([0, 2, 1, 2, 0])
weights = torch.tensor([0.8, 2.5, 1.1])
loss = torch.nn.CrossEntropyLoss(weight=weights)(logits, labels)
loss.backward()

binary_logits = torch.tensor([0.4, -1.3, 2.2, 0.1, -0.2, 0.9], requires_grad=True)
binary_labels = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
binary_weights = torch.tensor([0.75, 1.5])
per_example = torch.nn.BCEWithLogitsLoss(reduction="none")(binary_logits, binary_labels)
w = binary_weights[binary_labels.long()]
binary_loss = (w * per_example).sum() / w.sum()
binary_loss.backward()

print(json.dumps({
    "torch": torch.__version__,
    "softmax": {"logits": logits.detach().flatten().tolist(), "labels": labels.tolist(), "weights": weights.tolist(),
                "loss": loss.item(), "gradient": logits.grad.flatten().tolist()},
    "sigmoid": {"logits": binary_logits.detach().tolist(), "labels": binary_labels.tolist(), "weights": binary_weights.tolist(),
                "loss": binary_loss.item(), "gradient": binary_logits.grad.tolist()},
}, indent=1))
