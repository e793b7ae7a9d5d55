#!/usr/bin/env python3
"""The `words` spec in PyTorch: which language (english, french, german, spanish) a word is from,
from its characters. Trains the spec's model for its epochs and prints, per epoch, the training
loss, validation and test accuracy and training samples/s.

    /root/torchvenv/bin/python Benchmarks/sequences/words_torch.py --threads 2

The spec (dlc):

    data:
      train: {csv: data/words.csv, target: language}
      validation: 0.1
      test: 0.1
      columns:
        word: {text: {tokens: characters, length: 16}}
    model:
      layers:
        - embedding: {dim: 32}
        - conv1d: {filters: 64, kernel: 3, padding: same, activation: relu}
        - lstm: {units: 64}
        - dense: {units: 4, activation: softmax}
    loss: cross_entropy
    optimizer:
      adam: {learning_rate: 0.003}
    training: {epochs: 8, batch_size: 64, seed: 5}

Here, as dlc does it:
- Data: specs/data/words.csv (20000 rows, 5000 per language). Classes are the sorted language
  names (english 0, french 1, german 2, spanish 3). The split is 80/10/10, seeded (numpy
  default_rng(seed)) and stratified like dlc's DatasetSplitter: the rows are shuffled, then each
  class gives round(0.1 * its count) of its shuffled rows to validation, as many to test, the rest
  to training (16000 / 2000 / 2000). The shuffle itself is numpy's, not dlc's generator, so the
  rows differ from dlc's; the sizes and the stratification do not.
- Tokens: each word lowercased, then NFC-normalized, split into Unicode code points (one scalar one
  token). Vocabulary from the training rows only: most frequent first, ties by the token's code
  points; id 0 pads, id 1 is any token the vocabulary lacks, tokens from id 2. Every word is padded
  with 0 (or cut) to 16 ids; its length is its number of tokens (at most 16).
- Model: nn.Embedding(vocab, 32, padding_idx=0) -> nn.Conv1d(32, 64, 3, padding=1) + relu (over
  [B, C, T]; `same` with kernel 3 is one zero on each side) -> nn.LSTM(64, 64, batch_first) over
  pack_padded_sequence(lengths, enforce_sorted=False), so the LSTM stops at each word's last
  character -> its final hidden state h_n -> nn.Linear(64, 4). The spec's softmax + cross_entropy
  is logits + F.cross_entropy (the same math, fused). Adam lr 0.003, PyTorch's defaults otherwise.
- Training: batch 64 over a fresh torch.randperm of the training rows each epoch (torch seed =
  the spec's seed), the last short batch included; samples/s is training rows / the epoch's
  training time (evaluation not included). Accuracy is argmax of the logits in eval mode.
"""
import argparse
import csv
import os
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORDS_CSV = os.path.join(REPO, "specs", "data", "words.csv")
LENGTH = 16
EMBEDDING, FILTERS, UNITS = 32, 64, 64
BATCH, EPOCHS, LEARNING_RATE, SEED = 64, 8, 0.003, 5
PAD, UNKNOWN, FIRST = 0, 1, 2


def read_words(path=WORDS_CSV):
    """(words, labels [int], class names) of the CSV's `word` and `language` columns."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    classes = sorted({row["language"] for row in rows})
    index = {name: i for i, name in enumerate(classes)}
    return [row["word"] for row in rows], [index[row["language"]] for row in rows], classes


def tokenize(text, length=LENGTH):
    return list(unicodedata.normalize("NFC", text.lower()))[:length]


def vocabulary(texts, length=LENGTH):
    """{token: id}: most frequent first, ties by code points; ids from 2."""
    counts = {}
    for text in texts:
        for token in tokenize(text, length):
            counts[token] = counts.get(token, 0) + 1
    ordered = sorted(counts, key=lambda token: (-counts[token], token))
    return {token: FIRST + i for i, token in enumerate(ordered)}


def encode(texts, vocab, length=LENGTH):
    """int64 [N, length] ids (0-padded) for the texts."""
    import numpy as np
    ids = np.zeros((len(texts), length), dtype=np.int64)
    for row, text in enumerate(texts):
        tokens = [vocab.get(token, UNKNOWN) for token in tokenize(text, length)]
        ids[row, :len(tokens)] = tokens
    return ids


def split(labels, validation=0.1, test=0.1, seed=SEED):
    """(train, validation, test) row indices, each sorted: a seeded shuffle, then per class (in the
    order classes first appear in the shuffle) round(fraction * count) rows to validation, as many
    to test, the rest to training; every class keeps at least one training row."""
    import numpy as np
    order = np.random.default_rng(seed).permutation(len(labels))
    groups = {}
    for i in order:
        groups.setdefault(labels[i], []).append(int(i))
    parts = ([], [], [])
    held = lambda fraction, count: min(max(int(np.floor(fraction * count + 0.5)), 1 if count >= 2 else 0), count)
    for group in groups.values():
        available = max(len(group) - 1, 0)
        v = min(held(validation, len(group)), available)
        t = min(held(test, len(group)), available - v)
        parts[1].extend(group[:v])
        parts[2].extend(group[v:v + t])
        parts[0].extend(group[v + t:])
    return tuple(np.array(sorted(p), dtype=np.int64) for p in parts)


def load(path=WORDS_CSV, seed=SEED):
    """{"train"|"validation"|"test": (ids int64 [N, 16], labels int64 [N])}, the vocabulary, the classes."""
    import numpy as np
    words, labels, classes = read_words(path)
    rows = split(labels, seed=seed)
    vocab = vocabulary([words[i] for i in rows[0]])
    labels = np.array(labels, dtype=np.int64)
    data = {}
    for name, index in zip(("train", "validation", "test"), rows):
        data[name] = (encode([words[i] for i in index], vocab), labels[index])
    return data, vocab, classes


def words_model(vocab_size, classes=4):
    """The spec's network as an nn.Module; forward takes 0-padded ids [B, T] and returns logits."""
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    class Words(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, EMBEDDING, padding_idx=PAD)
            self.conv = nn.Conv1d(EMBEDDING, FILTERS, 3, padding=1)
            self.lstm = nn.LSTM(FILTERS, UNITS, batch_first=True)
            self.fc = nn.Linear(UNITS, classes)

        def forward(self, ids):
            lengths = (ids != PAD).sum(dim=1).cpu()
            h = torch.relu(self.conv(self.embedding(ids).transpose(1, 2))).transpose(1, 2)  # [B, T, 64]
            packed = pack_padded_sequence(h, lengths, batch_first=True, enforce_sorted=False)
            _, (h_n, _) = self.lstm(packed)
            return self.fc(h_n[-1])

    return Words()


def accuracy(model, ids, labels, batch=1000):
    import torch
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(ids), batch):
            correct += int((model(ids[start:start + batch]).argmax(dim=1) == labels[start:start + batch]).sum())
    model.train()
    return correct / len(ids)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--data", default=WORDS_CSV)
    p.add_argument("--init", choices=("torch", "dlc"), default="torch",
                   help="torch: PyTorch's defaults; dlc: dlc's defaults for the conv1d (he_uniform) and the dense layer "
                        "(glorot_uniform), both biases zero (the embedding and LSTM start alike in both)")
    p.add_argument("--seed", type=int, default=SEED, help="split and torch seed (default the spec's, %d)" % SEED)
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    data, vocab, classes = load(args.data, seed=args.seed)
    tensors = {name: (torch.from_numpy(x), torch.from_numpy(y)) for name, (x, y) in data.items()}
    x_train, y_train = tensors["train"]
    model = words_model(len(vocab) + FIRST, len(classes))
    if args.init == "dlc":
        with torch.no_grad():
            torch.nn.init.kaiming_uniform_(model.conv.weight, nonlinearity="relu")
            torch.nn.init.xavier_uniform_(model.fc.weight)
            model.conv.bias.zero_()
            model.fc.bias.zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    print("words: %d train / %d validation / %d test rows, vocabulary %d tokens (+ padding, unknown), "
          "%d parameters, %d threads, torch %s" % (
              len(x_train), len(tensors["validation"][0]), len(tensors["test"][0]), len(vocab),
              sum(q.numel() for q in model.parameters()), args.threads, torch.__version__))
    print("%5s %10s %8s %8s %10s" % ("epoch", "loss", "val acc", "test acc", "samples/s"))
    n = len(x_train)
    model.train()
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(n)
        total, t0 = 0.0, time.perf_counter()
        for start in range(0, n, BATCH):
            idx = perm[start:start + BATCH]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - t0
        print("%5d %10.4f %8.4f %8.4f %10.0f" % (
            epoch, total / n, accuracy(model, *tensors["validation"]), accuracy(model, *tensors["test"]),
            n / seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
