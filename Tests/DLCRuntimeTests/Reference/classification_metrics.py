"""Reference values for ClassificationMetricsTests: scikit-learn's precision, recall, F1
(binary for two classes, macro for three), ROC AUC and confusion matrix on fixed predictions.

Run: python classification_metrics.py > classification_metrics.json
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score

# One probability column (ties at 0.5 predict class 0, as `p > 0.5`).
binary_scores = [0.1, 0.4, 0.35, 0.8, 0.5, 0.5, 0.7, 0.2, 0.9, 0.05]
binary_labels = [0, 0, 1, 1, 1, 0, 1, 0, 1, 1]
binary_predicted = [1 if p > 0.5 else 0 for p in binary_scores]

# Three classes of logits, argmax.
logits = np.array([[2.0, 0.1, -1.0], [0.3, 0.2, 0.9], [-0.5, 1.5, 0.2], [0.0, 0.4, 0.1], [1.1, 1.0, 3.0],
                   [0.2, -0.3, 0.1], [0.5, 2.5, 0.4], [-1.0, 0.0, 0.5], [3.0, 1.0, 2.0]])
labels3 = [0, 2, 1, 2, 2, 1, 1, 0, 0]
predicted3 = logits.argmax(axis=1).tolist()


def metrics(labels, predicted, average):
    return {
        "precision": precision_score(labels, predicted, average=average, zero_division=0),
        "recall": recall_score(labels, predicted, average=average, zero_division=0),
        "f1": f1_score(labels, predicted, average=average, zero_division=0),
        "confusion": confusion_matrix(labels, predicted).tolist(),
    }


reference = {
    "sklearn": sklearn.__version__,
    "binary": {"scores": binary_scores, "labels": binary_labels, **metrics(binary_labels, binary_predicted, "binary"),
               "auc": roc_auc_score(binary_labels, binary_scores)},
    "three": {"logits": logits.flatten().tolist(), "labels": labels3, **metrics(labels3, predicted3, "macro")},
}
print(json.dumps(reference, indent=1))
