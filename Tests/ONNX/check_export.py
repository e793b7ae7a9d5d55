#!/usr/bin/env python3
"""Checks that `dlc export` writes ONNX models that predict what `dlc predict` predicts.

For every spec (every specs/*.yaml and Tests/ONNX/Specs/*.yaml, which reach the ops and activations the
examples do not, or the spec paths given as arguments) it:

1. trains briefly: `dlc run SPEC --epochs 1 --out WORK/NAME` (NAME = the spec file's stem);
2. exports: `dlc export SPEC --checkpoint WORK/NAME/model.safetensors --out WORK/NAME/model.onnx`,
   timing it;
3. checks the file: `onnx.checker.check_model(path, full_check=True)`, and the interface `dlc export`
   promises: opset 20 (and `ai.onnx.ml` opset 3 where it is used); the inputs (one float32
   `features` [batch, *model.input], or one [batch, 1] input per CSV feature column: float32 for a
   number column, string for a category column); the outputs (`probabilities` float32
   [batch, classes] and `label` string [batch] for a classifier, `values` float32 [batch, width]
   for a regression); the metadata_props `dlc.name`, `dlc.classes`, `dlc.feature_columns`,
   `dlc.missing_values` and `dlc.inputs`, and for a model of one text column `dlc.text` (its
   tokenizer and vocabulary, which must be the checkpoint's encoding's);
4. builds up to 64 input rows and writes them as `dlc predict` reads them:
   * `features` of rank 2 with `dlc.feature_columns`: the first 64 rows of the spec's training CSV
     (`data.train.csv`, relative to the spec's folder), those columns, CSV with their header;
   * `features` of rank 2 otherwise (builtin synthetic data): standard-normal float32 values from a
     fixed seed, CSV with the header `f0,f1,...`;
   * `features` of rank 4 [batch, H, W, C]: 64 random uint8 images in an IDX file
     (WORK/NAME/input-images-idx3-ubyte; magic 0x00000803 for C = 1), fed to onnxruntime as float32;
   * `features` of token ids (one text column alone, `dlc.text`): the first 64 rows of the training
     CSV's text column (with --edge-cases also empty, missing, padded, upper-case, decomposed,
     unseen-character and over-long texts), CSV with its header; onnxruntime gets the ids made
     by the tokenizer `dlc.text` describes (trim, lowercase each scalar, NFC, characters or words,
     vocabulary ids from 2, 1 unknown, 0 padding; a missing cell all 0s);
   * one input per column: the first 64 rows of the training CSV plus every row with a missing
     feature cell (at most 200 rows), CSV with the feature columns' header; onnxruntime gets a
     [n, 1] float32 array per number column (NaN where the cell is empty or one of
     `dlc.missing_values`, ignoring case, as dlc reads it) and a [n, 1] object array of the cells'
     text, as it is, per category column;
5. runs `dlc predict SPEC --checkpoint ... --input ... --output WORK/NAME/predict.csv` and
   onnxruntime on the same rows, and compares: probabilities within 1e-4 absolute; regression
   values within 1e-4 relative with a 1e-4 absolute floor (|onnx - dlc| <= 1e-4 * max(|dlc|, 1));
   `label` equal to predict's `class` column except in rows whose top two probabilities are
   within 1e-5 of each other;
6. checks that the .onnx file is at most 1.10 times the size of model.safetensors.

It prints one line per spec (name, export seconds, .onnx bytes, checkpoint bytes, the largest
difference in units of the tolerance's scale: absolute for probabilities, |a - b| / max(|b|, 1)
for values, and OK or FAIL with the reasons below it), then a summary, and exits 1 if any spec
failed (a training, export, checker, interface, predict or onnxruntime error, a mismatch, or a
file over the size limit). Where `dlc export` fails (or the binary has no `export` yet) the
spec fails, but its inputs are still built from the checkpoint's metadata and fed to
`dlc predict`, so the rest of the pipeline is exercised.

Run it from anywhere (it changes to the repository root) with Python 3.11 and numpy, onnx and
onnxruntime installed (`bash .ci/onnx` makes a venv with the pinned versions and runs it):

    DLC=.build/debug/dlc python Tests/ONNX/check_export.py                  # every spec
    python Tests/ONNX/check_export.py specs/iris.yaml specs/penguins.yaml   # some specs
    python Tests/ONNX/check_export.py --keep specs/xor.yaml                 # keep WORK, print it

DLC names the dlc binary (default .build/debug/dlc, relative to the repository root).
Options: --keep keeps the work folder; --work DIR uses DIR as the work folder (and keeps it);
--size-slack BYTES allows that many bytes over 1.10 x the checkpoint (default 4096, the graph's own nodes);
--edge-cases adds, for per-column models, rows that differ from a complete row in one cell: each
missing spelling in lower and upper case and padded with spaces, a cell padded with spaces, and an
unseen category (dlc trims cells and compares missing spellings ignoring case; the model must too).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

REPO = Path(__file__).resolve().parents[2]

ROWS = 64  # rows predicted per spec
MAX_ROWS_WITH_MISSING = 200  # cap for the per-column inputs (the first 64 rows + rows with missing cells)
PROBABILITY_TOLERANCE = 1e-4  # absolute
VALUE_TOLERANCE = 1e-4  # relative, with the same absolute floor
LABEL_TIE = 1e-5  # rows whose top two probabilities are this close may disagree on the label
SIZE_RATIO = 1.10  # .onnx bytes <= this x model.safetensors bytes
SEED = 20240601
OPSET = 20
ML_OPSET = 3
ML_DOMAIN = "ai.onnx.ml"
# dlc's default `data.missing_values` (ColumnTypes.defaultMissingValues), used only where no ONNX model says.
DEFAULT_MISSING_VALUES = ["NA", "N/A", "NaN", "null"]
# A metadata key naming the training CSV, if `dlc export` ever writes one (absolute, or relative to the
# spec's folder); without it the path comes from the spec's `data.train.csv`.
TRAIN_CSV_KEY = "dlc.train_csv"


class SpecFailure(Exception):
    """A step that stops the checks of one spec."""


# ---------------------------------------------------------------------------------------------
# Reading specs: PyYAML where installed, else a small reader of the YAML the specs use (block
# mappings and sequences, flow mappings and sequences, plain and quoted scalars, comments).


def load_yaml(text: str):
    try:
        import yaml  # type: ignore
    except ImportError:
        return MiniYAML(text).parse()
    return yaml.safe_load(text)


class MiniYAML:
    def __init__(self, text: str):
        self.lines: list[tuple[int, str]] = []
        for raw in text.splitlines():
            content = self._strip_comment(raw).rstrip()
            if not content.strip() or content.strip() in ("---", "..."):
                continue
            indent = len(content) - len(content.lstrip(" "))
            self.lines.append((indent, content.strip()))
        # A flow collection may run over several lines: join them.
        joined: list[tuple[int, str]] = []
        for indent, content in self.lines:
            if joined and self._depth(joined[-1][1]) > 0:
                joined[-1] = (joined[-1][0], joined[-1][1] + " " + content)
            else:
                joined.append((indent, content))
        self.lines = joined

    @staticmethod
    def _strip_comment(line: str) -> str:
        quote = None
        for index, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char == "#" and (index == 0 or line[index - 1] in " \t"):
                return line[:index]
        return line

    @staticmethod
    def _depth(text: str) -> int:
        depth, quote = 0, None
        for char in text:
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
        return depth

    def parse(self):
        if not self.lines:
            return None
        value, _ = self._block(0, self.lines[0][0])
        return value

    def _block(self, index: int, indent: int):
        if self.lines[index][1] == "-" or self.lines[index][1].startswith("- "):
            return self._sequence(index, indent)
        return self._mapping(index, indent)

    def _sequence(self, index: int, indent: int):
        items = []
        while index < len(self.lines):
            line_indent, text = self.lines[index]
            if line_indent != indent or not (text == "-" or text.startswith("- ")):
                break
            rest = text[1:].lstrip(" ")
            if not rest:
                index += 1
                if index < len(self.lines) and self.lines[index][0] > indent:
                    value, index = self._block(index, self.lines[index][0])
                else:
                    value = None
            elif self._key_split(rest) is not None:
                # `- key: value` opens a mapping whose keys sit at the column of `key`.
                column = indent + (len(text) - len(rest))
                self.lines[index] = (column, rest)
                value, index = self._mapping(index, column)
            else:
                value, index = self._inline(rest), index + 1
            items.append(value)
        return items, index

    def _mapping(self, index: int, indent: int):
        mapping = {}
        while index < len(self.lines):
            line_indent, text = self.lines[index]
            if line_indent != indent or text.startswith("- ") or text == "-":
                break
            split = self._key_split(text)
            if split is None:
                raise ValueError(f"cannot read the YAML line `{text}`")
            key, rest = split
            index += 1
            if rest:
                mapping[key] = self._inline(rest)
            elif index < len(self.lines) and (
                self.lines[index][0] > indent
                or (self.lines[index][0] == indent and self.lines[index][1].startswith("-"))
            ):
                mapping[key], index = self._block(index, self.lines[index][0])
            else:
                mapping[key] = None
        return mapping, index

    @staticmethod
    def _key_split(text: str):
        """`key: rest` as (key, rest), or None when the text is no mapping entry."""
        if text[0] in "{[":
            return None
        if text[0] in "'\"":
            end = text.find(text[0], 1)
            if end < 0 or not text[end + 1:].startswith(":"):
                return None
            return text[1:end], text[end + 2:].strip()
        match = re.match(r"^([^:]+?):(?:\s+(.*)|)$", text)
        if not match:
            return None
        return match.group(1).strip(), (match.group(2) or "").strip()

    def _inline(self, text: str):
        text = text.strip()
        if text and text[0] in "{[":
            value, end = self._flow(text, 0)
            if text[end:].strip():
                raise ValueError(f"cannot read the YAML value `{text}`")
            return value
        return self._scalar(text)

    def _flow(self, text: str, position: int):
        position = self._skip(text, position)
        char = text[position]
        if char == "[":
            items, position = [], self._skip(text, position + 1)
            while text[position] != "]":
                start = position
                value, position = self._flow(text, position)
                position = self._skip(text, position)
                if text[position] == ":":
                    # A single-pair mapping as an item (`[attention: {heads: 4}]`).
                    pair, position = self._flow(text, position + 1)
                    value = {str(value): pair}
                    position = self._skip(text, position)
                items.append(value)
                if text[position] == ",":
                    position = self._skip(text, position + 1)
                elif text[position] != "]" or position == start:
                    raise ValueError(f"cannot read the YAML flow sequence `{text}`")
            return items, position + 1
        if char == "{":
            mapping, position = {}, self._skip(text, position + 1)
            while text[position] != "}":
                key, position = self._flow_scalar(text, position, key=True)
                position = self._skip(text, position)
                if text[position] == ":":
                    value, position = self._flow(text, position + 1)
                else:
                    value = None
                mapping[key] = value
                position = self._skip(text, position)
                if text[position] == ",":
                    position = self._skip(text, position + 1)
                elif text[position] != "}":
                    raise ValueError(f"cannot read the YAML flow mapping `{text}`")
            return mapping, position + 1
        return self._flow_scalar(text, position, key=False)

    def _flow_scalar(self, text: str, position: int, key: bool):
        position = self._skip(text, position)
        if text[position] in "'\"":
            end = text.index(text[position], position + 1)
            return text[position + 1:end], end + 1
        end = position
        while end < len(text) and text[end] not in ",]}":
            if text[end] == ":" and (end + 1 == len(text) or text[end + 1] in " ,]}"):
                break
            end += 1
        word = text[position:end].strip()
        return (word if key else self._scalar(word)), end

    @staticmethod
    def _skip(text: str, position: int) -> int:
        while position < len(text) and text[position] in " \t":
            position += 1
        return position

    @staticmethod
    def _scalar(text: str):
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        lowered = text.lower()
        if lowered in ("", "~", "null"):
            return None
        if lowered in ("true", "false"):
            return lowered == "true"
        if re.fullmatch(r"[-+]?\d+", text):
            return int(text)
        if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
            return float(text)
        return text


# ---------------------------------------------------------------------------------------------
# Files


def read_safetensors_metadata(path: Path) -> dict[str, str]:
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    return header.get("__metadata__", {})


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise SpecFailure(f"`{path}` is empty")
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # dlc's CSV reader takes no quoting: refuse cells that would need it.
    for cell in header + [cell for row in rows for cell in row]:
        if any(char in cell for char in ',"\n\r'):
            raise SpecFailure(f"cannot write the cell {cell!r} to a CSV without quoting")
    path.write_text("\n".join(",".join(row) for row in [header] + rows) + "\n", encoding="utf-8")


def read_idx_images(path: Path, count: int, shape: list[int]) -> np.ndarray | None:
    """The first `count` images of an IDX3 file (gzipped or not) shaped [count, *shape], or None
    when the file does not hold images of that shape."""
    import gzip
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except OSError:
        return None
    if len(data) < 16 or int.from_bytes(data[:4], "big") != 0x803:
        return None
    total, height, width = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    if [height, width, 1] != list(shape):
        return None
    n = min(count, total)
    return np.frombuffer(data[16:16 + n * height * width], dtype=np.uint8).reshape(n, height, width, 1).copy()


def write_idx_images(path: Path, images: np.ndarray) -> None:
    """uint8 images [n, *shape] as IDX; [n, H, W, 1] is written as a 3-D file (magic 0x00000803)."""
    dims = list(images.shape)
    if len(dims) == 4 and dims[-1] == 1:
        dims = dims[:-1]
    header = bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    path.write_bytes(header + np.ascontiguousarray(images, dtype=np.uint8).tobytes())


def float_text(value: np.float32) -> str:
    """The shortest positional decimal that reads back as the same float32."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def is_missing(cell: str, missing_values: list[str]) -> bool:
    """dlc's rule (MissingCells): a cell is missing when, trimmed, it is empty or a spelling, ignoring ASCII case."""
    text = cell.strip()
    return text == "" or text.lower() in {value.lower() for value in missing_values}


def parse_number(cell: str, missing_values: list[str], where: str) -> float:
    if is_missing(cell, missing_values):
        return math.nan
    try:
        return float(cell.strip())
    except ValueError:
        raise SpecFailure(f"{where}: the cell {cell!r} is no number") from None


# ---------------------------------------------------------------------------------------------
# The dlc binary


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


class DLC:
    def __init__(self, path: str):
        self.path = path

    def run(self, arguments: list[str], timeout: float = 1800) -> Completed:
        # The binary may be relinked under us (a developer building): wait a little for it.
        for _ in range(60):
            if os.access(self.path, os.X_OK):
                break
            time.sleep(2)
        start = time.perf_counter()
        try:
            process = subprocess.run([self.path, *arguments], cwd=REPO, capture_output=True, text=True,
                                     timeout=timeout, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            return Completed(127, "", f"{self.path}: not found", time.perf_counter() - start)
        except subprocess.TimeoutExpired:
            return Completed(124, "", f"timed out after {timeout:.0f} s", time.perf_counter() - start)
        return Completed(process.returncode, process.stdout, process.stderr, time.perf_counter() - start)

    def has_subcommand(self, name: str) -> bool:
        listing = self.run(["--help"], timeout=60)
        section = listing.stdout.split("SUBCOMMANDS:", 1)[-1]
        return re.search(rf"^\s+{re.escape(name)}\b", section, re.MULTILINE) is not None


def tail(completed: Completed, lines: int = 8) -> str:
    text = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
    return "\n".join("      | " + line for line in text[-lines:])


# ---------------------------------------------------------------------------------------------
# What one spec needs


@dataclass
class SpecData:
    """What the spec says about its data."""
    path: Path
    train_csv: Path | None  # the training CSV, when the training data is one
    train_kind: str  # csv, idx, builtin, or unknown
    train_images: Path | None = None  # the training IDX images file, when the training data is one


def read_spec(path: Path) -> SpecData:
    try:
        document = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, IndexError) as error:
        raise SpecFailure(f"cannot read the spec: {error}") from None
    train = (document.get("data") or {}).get("train") if isinstance(document, dict) else None
    if isinstance(train, dict) and "csv" in train:
        return SpecData(path, (path.parent / str(train["csv"])).resolve(), "csv")
    if isinstance(train, dict) and isinstance(train.get("idx"), dict) and "images" in train["idx"]:
        return SpecData(path, None, "idx", (path.parent / str(train["idx"]["images"])).resolve())
    if isinstance(train, dict) and ("idx" in train or "builtin" in train):
        return SpecData(path, None, "idx" if "idx" in train else "builtin")
    return SpecData(path, None, "unknown")


@dataclass
class Column:
    name: str
    is_text: bool  # a category column (string input), else a number column (float input)


@dataclass
class TextColumn:
    """A text column's tokenizer and vocabulary (`dlc.text`, or the checkpoint's encoding)."""
    column: str
    tokens: str  # characters or words
    lowercase: bool
    length: int
    vocabulary: list[str]

    @staticmethod
    def from_metadata(text: dict) -> "TextColumn":
        return TextColumn(text["column"], text["tokens"], bool(text["lowercase"]), int(text["length"]), list(text["vocabulary"]))

    @staticmethod
    def from_encoding(column: dict) -> "TextColumn":
        text = column["kind"]["text"]
        tokenizer = text["tokenizer"]
        return TextColumn(column["name"], tokenizer["tokens"], bool(tokenizer["lowercase"]), int(text["length"]),
                          list(text["vocabulary"]))


# Unicode's White_Space property (Swift's `Unicode.Scalar.Properties.isWhitespace`).
WHITE_SPACE = {*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}


def tokenize(text: TextColumn, cell: str) -> list[str]:
    """dlc's TextTokenizer: lowercase each scalar (full mappings, no context), NFC, then one token per
    scalar (`characters`) or per run of scalars that are neither White_Space nor punctuation (`words`)."""
    if text.lowercase:
        cell = "".join(char.lower() for char in cell)
    cell = unicodedata.normalize("NFC", cell)
    if text.tokens == "characters":
        return list(cell)
    words, word = [], []
    for char in cell:
        if ord(char) in WHITE_SPACE or unicodedata.category(char).startswith("P"):
            if word:
                words.append("".join(word))
                word = []
        else:
            word.append(char)
    if word:
        words.append("".join(word))
    return words


def token_ids(text: TextColumn, cells: list[str], missing_values: list[str]) -> np.ndarray:
    """[n, length] float32 ids: the cell trimmed (a missing one all 0s), its first `length` tokens as
    2 + vocabulary index (1 unknown), 0s after."""
    id_of = {token: 2 + index for index, token in enumerate(text.vocabulary)}
    ids = np.zeros((len(cells), text.length), dtype=np.float32)
    for row, cell in enumerate(cells):
        if is_missing(cell, missing_values):
            continue
        for position, token in enumerate(tokenize(text, cell.strip())[:text.length]):
            ids[row, position] = id_of.get(token, 1)
    return ids


@dataclass
class InputPlan:
    """The model's inputs, as the ONNX model declares them or, without one, as the checkpoint implies."""
    mode: str  # "table" (features, rank 2), "images" (features, rank > 2), "columns" (one input per column)
    # or "text" (features: one text column's token ids)
    shape: list[int]  # model.input (features modes)
    feature_columns: list[str] | None = None  # table mode: the CSV columns, or None for random rows
    columns: list[Column] = field(default_factory=list)  # columns mode
    missing_values: list[str] = field(default_factory=lambda: list(DEFAULT_MISSING_VALUES))
    text: TextColumn | None = None  # text mode


def plan_from_checkpoint(meta: dict[str, str]) -> InputPlan:
    """The inputs the interface gives a model trained to this checkpoint (used where no ONNX model is there)."""
    shape = json.loads(meta.get("input_shape", "[]"))
    encoding = json.loads(meta["encoding"]) if meta.get("encoding") else None
    if encoding is None:
        return InputPlan("table" if len(shape) == 1 else "images", shape)
    missing = encoding.get("missingValues", DEFAULT_MISSING_VALUES)
    if len(encoding["columns"]) == 1 and "text" in encoding["columns"][0]["kind"]:
        text = TextColumn.from_encoding(encoding["columns"][0])
        return InputPlan("text", shape, feature_columns=[text.column], missing_values=missing, text=text)
    columns, typed = [], False
    for column in encoding["columns"]:
        kind = column["kind"]
        number = kind.get("number")
        if number is None or number.get("indicator") or "fill" in number:
            typed = True
        columns.append(Column(column["name"], number is None))
    if typed:
        return InputPlan("columns", shape, columns=columns,
                         missing_values=encoding.get("missingValues", DEFAULT_MISSING_VALUES))
    return InputPlan("table", shape, feature_columns=[c.name for c in columns])


def tensor_shape(value_info) -> list[int | str | None]:
    dims = []
    for dim in value_info.type.tensor_type.shape.dim:
        if dim.HasField("dim_value"):
            dims.append(dim.dim_value)
        elif dim.HasField("dim_param"):
            dims.append(dim.dim_param)
        else:
            dims.append(None)
    return dims


def is_batch(dim) -> bool:
    return not isinstance(dim, int)  # a named (or unnamed) dimension, not a fixed size


def check_interface(model: onnx.ModelProto, meta: dict[str, str], spec: SpecData,
                    problems: list[str]) -> InputPlan:
    """Checks the interface `dlc export` promises and returns the inputs it declares."""
    props = {p.key: p.value for p in model.metadata_props}
    classes = json.loads(meta.get("classes", "[]"))
    input_shape = json.loads(meta.get("input_shape", "[]"))

    opsets = {o.domain or "": o.version for o in model.opset_import}
    if opsets.get("") != OPSET:
        problems.append(f"interface: default opset {opsets.get('')}, expected {OPSET}")
    uses_ml = any(node.domain == ML_DOMAIN for node in model.graph.node)
    if uses_ml and opsets.get(ML_DOMAIN) != ML_OPSET:
        problems.append(f"interface: `{ML_DOMAIN}` opset {opsets.get(ML_DOMAIN)}, expected {ML_OPSET}")

    # metadata_props
    if props.get("dlc.name") != meta.get("name"):
        problems.append(f"interface: dlc.name is {props.get('dlc.name')!r}, the spec's name is {meta.get('name')!r}")
    if not props.get("dlc.inputs", "").strip():
        problems.append("interface: metadata has no dlc.inputs")
    if classes:
        try:
            listed = json.loads(props["dlc.classes"])
        except (KeyError, ValueError):
            listed = None
        if listed != classes:
            problems.append(f"interface: dlc.classes is {props.get('dlc.classes')!r}, the checkpoint's classes are {classes}")
    elif "dlc.classes" in props:
        problems.append("interface: a regression has dlc.classes")
    feature_columns = None
    if "dlc.feature_columns" in props:
        try:
            feature_columns = json.loads(props["dlc.feature_columns"])
        except ValueError:
            problems.append(f"interface: dlc.feature_columns is no JSON list: {props['dlc.feature_columns']!r}")
    if spec.train_kind == "csv" and feature_columns is None:
        problems.append("interface: the training data is a CSV file, but metadata has no dlc.feature_columns")

    # inputs
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    FLOAT, STRING = onnx.TensorProto.FLOAT, onnx.TensorProto.STRING
    if len(inputs) == 1 and inputs[0].name == "features":
        declared = tensor_shape(inputs[0])
        if inputs[0].type.tensor_type.elem_type != FLOAT:
            problems.append("interface: `features` is not float32")
        if not declared or not is_batch(declared[0]) or declared[1:] != input_shape:
            problems.append(f"interface: `features` has shape {declared}, expected [batch, {', '.join(map(str, input_shape))}]")
        shape = [d if isinstance(d, int) else 0 for d in declared[1:]]
        if "dlc.text" in props:
            plan = text_plan(props, meta, shape, problems)
        elif len(shape) == 1:
            plan = InputPlan("table", shape, feature_columns=feature_columns)
        else:
            plan = InputPlan("images", shape)
    else:
        columns = []
        for value in inputs:
            elem = value.type.tensor_type.elem_type
            if elem not in (FLOAT, STRING):
                problems.append(f"interface: input `{value.name}` is {onnx.TensorProto.DataType.Name(elem)}, not float32 or string")
            declared = tensor_shape(value)
            if len(declared) != 2 or not is_batch(declared[0]) or declared[1] != 1:
                problems.append(f"interface: input `{value.name}` has shape {declared}, expected [batch, 1]")
            columns.append(Column(value.name, elem == STRING))
        if feature_columns is not None and feature_columns != [c.name for c in columns]:
            problems.append(f"interface: the inputs {[c.name for c in columns]} are not dlc.feature_columns {feature_columns}")
        missing = DEFAULT_MISSING_VALUES
        try:
            missing = json.loads(props["dlc.missing_values"])
        except KeyError:
            problems.append("interface: per-column inputs, but metadata has no dlc.missing_values")
        except ValueError:
            problems.append(f"interface: dlc.missing_values is no JSON list: {props['dlc.missing_values']!r}")
        plan = InputPlan("columns", [], columns=columns, missing_values=missing)

    # outputs
    outputs = {o.name: o for o in model.graph.output}
    expected = ["probabilities", "label"] if classes else ["values"]
    if sorted(outputs) != sorted(expected):
        problems.append(f"interface: outputs {list(outputs)}, expected {expected}")
    if "probabilities" in outputs:
        declared = tensor_shape(outputs["probabilities"])
        if outputs["probabilities"].type.tensor_type.elem_type != FLOAT:
            problems.append("interface: `probabilities` is not float32")
        if len(declared) != 2 or not is_batch(declared[0]) or declared[1] != len(classes):
            problems.append(f"interface: `probabilities` has shape {declared}, expected [batch, {len(classes)}]")
    if "label" in outputs:
        declared = tensor_shape(outputs["label"])
        if outputs["label"].type.tensor_type.elem_type != STRING:
            problems.append("interface: `label` is not string")
        if len(declared) != 1 or not is_batch(declared[0]):
            problems.append(f"interface: `label` has shape {declared}, expected [batch]")
    if "values" in outputs:
        declared = tensor_shape(outputs["values"])
        if outputs["values"].type.tensor_type.elem_type != FLOAT:
            problems.append("interface: `values` is not float32")
        if len(declared) != 2 or not is_batch(declared[0]) or not isinstance(declared[1], int):
            problems.append(f"interface: `values` has shape {declared}, expected [batch, width]")
    return plan


def text_plan(props: dict[str, str], meta: dict[str, str], shape: list[int], problems: list[str]) -> InputPlan:
    """The token-id input `dlc.text` describes, checked against the checkpoint's encoding."""
    try:
        text = TextColumn.from_metadata(json.loads(props["dlc.text"]))
    except (ValueError, KeyError, TypeError) as error:
        raise SpecFailure(f"interface: dlc.text is not a text column's description ({error}): {props['dlc.text'][:200]!r}") from None
    missing = DEFAULT_MISSING_VALUES
    try:
        missing = json.loads(props["dlc.missing_values"])
    except KeyError:
        problems.append("interface: a text model, but metadata has no dlc.missing_values")
    except ValueError:
        problems.append(f"interface: dlc.missing_values is no JSON list: {props['dlc.missing_values']!r}")
    if shape != [text.length]:
        problems.append(f"interface: `features` has shape [batch, {', '.join(map(str, shape))}], dlc.text says {text.length} ids")
    implied = plan_from_checkpoint(meta)
    if implied.text != text:
        problems.append(f"interface: dlc.text is not the checkpoint's text column: {text} vs {implied.text}")
    if "dlc.text" not in props.get("dlc.inputs", ""):
        problems.append("interface: dlc.inputs does not say that `features` holds the text column's token ids (dlc.text)")
    return InputPlan("text", shape, feature_columns=[text.column], missing_values=missing, text=text)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Inputs:
    path: Path  # the file `dlc predict --input` reads
    feeds: dict[str, np.ndarray]  # what onnxruntime is given
    rows: int
    description: str
    row_notes: dict[int, str] = field(default_factory=dict)  # what each edge-case row changed


def train_csv_path(spec: SpecData, model: onnx.ModelProto | None) -> Path:
    if model is not None:
        named = {p.key: p.value for p in model.metadata_props}.get(TRAIN_CSV_KEY)
        if named:
            return (spec.path.parent / named).resolve()
    if spec.train_csv is None:
        raise SpecFailure("the model has CSV feature columns, but the spec's data.train is no `csv:` source")
    return spec.train_csv


def build_inputs(plan: InputPlan, spec: SpecData, model: onnx.ModelProto | None, folder: Path,
                 edge_cases: bool = False) -> Inputs:
    rng = np.random.default_rng(SEED)
    if plan.mode == "images":
        # Real images from the training file where it is an IDX file (random pixels over a range
        # such as the digits' 0..16 saturate every output), then a few random ones.
        real = read_idx_images(spec.train_images, ROWS - 16, plan.shape) if spec.train_images else None
        random = rng.integers(0, 256, size=(ROWS - (0 if real is None else len(real)), *plan.shape), dtype=np.uint8)
        images = random if real is None else np.concatenate([real, random])
        path = folder / "input-images-idx3-ubyte"
        write_idx_images(path, images)
        described = f"{len(random)} random uint8 images {plan.shape}"
        if real is not None:
            described = f"{len(real)} images of {spec.train_images.name} + " + described
        return Inputs(path, {"features": images.astype(np.float32)}, len(images), described)

    if plan.mode == "table" and plan.feature_columns is None:
        width = plan.shape[0]
        values = rng.standard_normal((ROWS, width)).astype(np.float32)
        path = folder / "input.csv"
        write_csv(path, [f"f{i}" for i in range(width)], [[float_text(v) for v in row] for row in values])
        return Inputs(path, {"features": values}, ROWS, f"{ROWS} random normal rows of {width}")

    source = train_csv_path(spec, model)
    header, rows = read_csv(source)
    names = plan.feature_columns if plan.mode in ("table", "text") else [c.name for c in plan.columns]
    absent = [name for name in names if name not in header]
    if absent:
        raise SpecFailure(f"`{source}` has no column {', '.join(f'`{n}`' for n in absent)}")
    positions = [header.index(name) for name in names]
    picked = [[row[p] if p < len(row) else "" for p in positions] for row in rows if row]

    if plan.mode == "text":
        cells = [row[0] for row in picked[:ROWS]]
        notes = {}
        if edge_cases:
            edge = text_edge_cells(plan, cells)
            notes = {len(cells) + i: note for i, (_, note) in enumerate(edge)}
            cells += [cell for cell, _ in edge]
        path = folder / "input.csv"
        write_csv(path, names, [[cell] for cell in cells])
        return Inputs(path, {"features": token_ids(plan.text, cells, plan.missing_values)}, len(cells),
                      f"the first {min(ROWS, len(picked))} texts of {source.name}"
                      + (f" + {len(notes)} edge-case texts" if notes else ""), notes)

    if plan.mode == "table":
        picked = picked[:ROWS]
        values = np.array([[parse_number(cell, plan.missing_values, f"`{source}`") for cell in row] for row in picked],
                          dtype=np.float32)
        path = folder / "input.csv"
        write_csv(path, names, picked)
        return Inputs(path, {"features": values.reshape(len(picked), -1)}, len(picked),
                      f"the first {len(picked)} rows of {source.name}")

    chosen = list(range(min(ROWS, len(picked))))
    with_missing = [i for i, row in enumerate(picked) if any(is_missing(c, plan.missing_values) for c in row)]
    chosen += [i for i in with_missing if i >= ROWS]
    chosen = chosen[:MAX_ROWS_WITH_MISSING]
    picked = [picked[i] for i in chosen]
    missing_rows = sum(any(is_missing(c, plan.missing_values) for c in row) for row in picked)
    edge = edge_rows(plan, picked) if edge_cases else []
    row_notes = {len(picked) + i: note for i, (_, note) in enumerate(edge)}
    picked += [row for row, _ in edge]
    path = folder / "input.csv"
    write_csv(path, names, picked)
    feeds = {}
    for index, column in enumerate(plan.columns):
        cells = [row[index] for row in picked]
        if column.is_text:
            # The model's contract (`dlc.inputs`): category texts without surrounding spaces, as a
            # CSV reader gives them; dlc predict reads the padded file and trims them itself.
            feeds[column.name] = np.array([c.strip() for c in cells], dtype=object).reshape(-1, 1)
        else:
            feeds[column.name] = np.array([parse_number(c, plan.missing_values, f"`{source}` column `{column.name}`")
                                           for c in cells], dtype=np.float32).reshape(-1, 1)
    return Inputs(path, feeds, len(picked),
                  f"{len(picked) - len(edge)} rows of {source.name} ({missing_rows} with a missing cell)"
                  + (f" + {len(edge)} edge-case rows" if edge else ""), row_notes)


def text_edge_cells(plan: InputPlan, cells: list[str]) -> list[tuple[str, str]]:
    """Texts that reach the tokenizer's rules: empty and missing cells, padding spaces, upper case,
    a decomposed accent, characters never seen in training, texts longer than `length`, and one
    token alone."""
    base = next((cell for cell in cells if cell.strip()), "word")
    length = plan.text.length
    spellings = [s for s in plan.missing_values if s.strip()]
    edge = [("", "an empty cell"), ("  ", "spaces only")]
    edge += [(variant, f"missing {variant!r}") for s in spellings[:2] for variant in dict.fromkeys([s.lower(), s.upper()])]
    edge += [(f"  {base}  ", "padded with spaces"), (base.upper(), "upper case"), (base.title(), "title case"),
             ("cafe\u0301", "a decomposed accent (NFC makes one token)"), ("CAFE\u0301", "upper case, decomposed"),
             ("\u00c9T\u00c9", "upper-case precomposed accents"), ("\u6f22\u5b57\u03a9\u2603", "characters never seen in training"),
             ((base * (length // max(len(base), 1) + 2))[:length + 5], f"longer than {length} tokens"),
             (base[:1] or "a", "one token"), ("a b-c.d", "spaces and punctuation")]
    return edge


def edge_rows(plan: InputPlan, rows: list[list[str]]) -> list[tuple[list[str], str]]:
    """Rows that differ from the first complete row in one cell each: every missing spelling in lower
    and upper case, the cell padded with spaces, and (category columns) a value never seen in training.
    dlc reads cells trimmed and missing spellings ignoring case."""
    base = next((row for row in rows if not any(is_missing(c, plan.missing_values) for c in row)), None)
    if base is None:
        return []
    spellings = [s for s in plan.missing_values if s.strip()]
    edge = []
    for index, column in enumerate(plan.columns):
        variants = [v for s in spellings for v in dict.fromkeys([s.lower(), s.upper(), f" {s} "])]
        variants += [" ", f" {base[index]} "]
        if column.is_text:
            variants.append("never-seen-in-training")
        for variant in variants:
            row = list(base)
            row[index] = variant
            edge.append((row, f"{column.name} = {variant!r}"))
    return edge


# ---------------------------------------------------------------------------------------------
# Predictions


@dataclass
class Prediction:
    classes: list[str]  # empty for a regression
    labels: list[str]
    values: np.ndarray  # probabilities [n, classes] or values [n, width]


def read_prediction(path: Path) -> Prediction:
    header, rows = read_csv(path)
    rows = [row for row in rows if row]
    if header and header[0] == "class":
        classes = [name[2:] if name.startswith("p_") else name for name in header[1:]]
        labels = [row[0] for row in rows]
        values = np.array([[float(c) for c in row[1:]] for row in rows], dtype=np.float64).reshape(len(rows), len(classes))
        return Prediction(classes, labels, values)
    if not all(name.startswith("value_") for name in header):
        raise SpecFailure(f"`dlc predict` wrote an unknown header: {','.join(header)}")
    values = np.array([[float(c) for c in row] for row in rows], dtype=np.float64).reshape(len(rows), len(header))
    return Prediction([], [], values)


def compare(expected: Prediction, outputs: dict[str, np.ndarray], problems: list[str],
            row_notes: dict[int, str] | None = None) -> float:
    """The largest difference, in the tolerance's units (NaN where onnxruntime gave NaN); mismatches
    appended to problems, with up to three rows shown (and what an edge-case row changed)."""
    row_notes = row_notes or {}

    def shown(rows: list[int], describe) -> str:
        text = "; ".join(f"row {r}{f' ({row_notes[r]})' if r in row_notes else ''}: {describe(r)}" for r in rows[:3])
        return text + ("; ..." if len(rows) > 3 else "")

    def vector(values: np.ndarray) -> str:
        return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"

    name = "probabilities" if expected.classes else "values"
    wanted = ["probabilities", "label"] if expected.classes else ["values"]
    if any(output not in outputs for output in wanted):
        problems.append(f"onnxruntime gave no {' or '.join(f'`{w}`' for w in wanted)}")
        return math.nan
    got = np.asarray(outputs[name], dtype=np.float64)
    if got.shape != expected.values.shape:
        problems.append(f"`{name}` has shape {list(got.shape)}, dlc predict gave {list(expected.values.shape)}")
        return math.nan
    if expected.classes:
        error, tolerance, what = np.abs(got - expected.values), PROBABILITY_TOLERANCE, f"by more than {PROBABILITY_TOLERANCE:g}"
    else:
        error = np.abs(got - expected.values) / np.maximum(np.abs(expected.values), 1.0)
        tolerance, what = VALUE_TOLERANCE, f"by more than {VALUE_TOLERANCE:g} relative (1e-4 floor)"
    worst = math.nan if np.isnan(error).any() else (float(error.max()) if error.size else 0.0)
    bad = sorted(set(np.argwhere(~(error <= tolerance))[:, 0].tolist()))
    if bad:
        problems.append(f"{name} differ {what} in {len(bad)} of {len(got)} rows: "
                        + shown(bad, lambda r: f"onnx {vector(got[r])}, dlc {vector(expected.values[r])}"))
    if not expected.classes:
        return worst
    labels = [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(outputs["label"]).reshape(-1)]
    if len(labels) != len(expected.labels):
        problems.append(f"`label` has {len(labels)} rows, dlc predict gave {len(expected.labels)}")
        return worst
    ordered = np.sort(expected.values, axis=1)
    ties = (ordered[:, -1] - ordered[:, -2] < LABEL_TIE) if ordered.shape[1] > 1 else np.zeros(len(labels), bool)
    wrong = [i for i, (a, b) in enumerate(zip(labels, expected.labels)) if a != b and not ties[i]]
    if wrong:
        problems.append(f"`label` differs from predict's class in {len(wrong)} rows: "
                        + shown(wrong, lambda r: f"onnx {labels[r]!r}, dlc {expected.labels[r]!r}"))
    return worst


# ---------------------------------------------------------------------------------------------
# One spec


@dataclass
class Result:
    name: str
    export_seconds: float | None = None
    onnx_bytes: int | None = None
    checkpoint_bytes: int | None = None
    max_difference: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_spec(spec_path: Path, work: Path, dlc: DLC, export_available: bool, options: argparse.Namespace) -> Result:
    name = spec_path.stem
    result = Result(name)
    folder = work / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    relative = os.path.relpath(spec_path, REPO)
    try:
        spec = read_spec(spec_path)

        trained = dlc.run(["run", relative, "--epochs", "1", "--out", str(folder)])
        checkpoint = folder / "model.safetensors"
        if trained.returncode != 0 or not checkpoint.exists():
            raise SpecFailure(f"`dlc run --epochs 1` failed (exit {trained.returncode}):\n{tail(trained)}")
        result.notes.append(f"trained in {trained.seconds:.1f} s")
        result.checkpoint_bytes = checkpoint.stat().st_size
        meta = read_safetensors_metadata(checkpoint)

        model_path = folder / "model.onnx"
        model = None
        if not export_available:
            result.problems.append(f"export: `{dlc.path}` has no `export` subcommand yet (build `dlc export`, then rerun)")
        else:
            exported = dlc.run(["export", relative, "--checkpoint", str(checkpoint), "--out", str(model_path)])
            result.export_seconds = exported.seconds
            if exported.returncode != 0 or not model_path.exists():
                result.problems.append(f"export: `dlc export` failed (exit {exported.returncode}):\n{tail(exported)}")
            else:
                result.onnx_bytes = model_path.stat().st_size
                limit = SIZE_RATIO * result.checkpoint_bytes + options.size_slack
                if result.onnx_bytes > limit:
                    slack = f" + {options.size_slack}" if options.size_slack else ""
                    result.problems.append(f"size: {result.onnx_bytes} bytes, over {SIZE_RATIO:.2f} x the checkpoint's "
                                           f"{result.checkpoint_bytes}{slack} ({result.onnx_bytes / result.checkpoint_bytes:.2f} x)")
                try:
                    onnx.checker.check_model(str(model_path), full_check=True)
                except Exception as error:  # onnx raises ValidationError and InferenceError, among others
                    result.problems.append(f"checker: {type(error).__name__}: {str(error).strip()[:600]}")
                model = onnx.load(str(model_path))

        if model is not None:
            plan = check_interface(model, meta, spec, result.problems)
            implied = plan_from_checkpoint(meta)
            if implied.mode != plan.mode:
                result.notes.append(f"the model takes {plan.mode} inputs; the checkpoint's encoding suggested {implied.mode}")
        else:
            plan = plan_from_checkpoint(meta)
        inputs = build_inputs(plan, spec, model, folder, options.edge_cases)
        result.notes.append(f"inputs: {inputs.description} ({plan.mode})")

        predicted_path = folder / "predict.csv"
        predicted = dlc.run(["predict", relative, "--checkpoint", str(checkpoint), "--input", str(inputs.path),
                             "--output", str(predicted_path)])
        if predicted.returncode != 0 or not predicted_path.exists():
            raise SpecFailure(f"`dlc predict` failed on `{inputs.path.name}` (exit {predicted.returncode}):\n{tail(predicted)}")
        expected = read_prediction(predicted_path)
        if expected.values.shape[0] != inputs.rows:
            raise SpecFailure(f"`dlc predict` wrote {expected.values.shape[0]} rows for {inputs.rows} input rows")
        classes = json.loads(meta.get("classes", "[]"))
        if expected.classes != classes:
            result.problems.append(f"predict: the classes in its header {expected.classes} are not the checkpoint's {classes}")
        note = predicted.stderr.strip()
        if note:
            result.notes.append("dlc predict said: " + " / ".join(note.splitlines()[:3]))

        if model is None:
            result.notes.append(f"dlc predict read the inputs: {inputs.rows} rows (not compared: no ONNX model)")
            return result
        try:
            session_options = ort.SessionOptions()
            session_options.log_severity_level = 3
            session = ort.InferenceSession(str(model_path), session_options, providers=["CPUExecutionProvider"])
            names = [o.name for o in session.get_outputs()]
            outputs = dict(zip(names, session.run(names, inputs.feeds)))
        except Exception as error:
            raise SpecFailure(f"onnxruntime: {type(error).__name__}: {str(error).strip()[:600]}") from None
        result.max_difference = compare(expected, outputs, result.problems, inputs.row_notes)
    except SpecFailure as failure:
        result.problems.append(str(failure))
    except Exception as error:  # a bug here, or a file that is not what it should be: report it per spec
        result.problems.append(f"{type(error).__name__}: {error}")
    return result


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("specs", nargs="*", help="spec files (default: every specs/*.yaml and Tests/ONNX/Specs/*.yaml)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print where it is")
    parser.add_argument("--work", help="the work folder (kept; default: a new temporary folder)")
    parser.add_argument("--size-slack", type=int, default=4096, metavar="BYTES",
                        help="bytes allowed over 1.10 x the checkpoint's size, for the graph's own nodes (default 4096: "
                             "a tiny model's .onnx is mostly structure)")
    parser.add_argument("--edge-cases", action="store_true",
                        help="per-column models: add rows with missing spellings in other cases, padded cells "
                             "and unseen categories (dlc trims cells and ignores the case of missing spellings)")
    args = parser.parse_args()

    os.chdir(REPO)
    dlc_path = os.environ.get("DLC", ".build/debug/dlc")
    dlc = DLC(os.path.abspath(REPO / dlc_path))
    if not os.access(dlc.path, os.X_OK):
        print(f"check_export: no dlc binary at `{dlc.path}` (set DLC, or build it: swift build --product dlc)", file=sys.stderr)
        return 2
    specs = [Path(s).resolve() for s in args.specs] or sorted((REPO / "specs").glob("*.yaml")) + sorted((REPO / "Tests/ONNX/Specs").glob("*.yaml"))
    absent = [str(s) for s in specs if not s.is_file()]
    if absent:
        print(f"check_export: no spec at {', '.join(absent)}", file=sys.stderr)
        return 2

    export_available = dlc.has_subcommand("export")
    if not export_available:
        print(f"check_export: `{dlc.path}` has no `export` subcommand: every spec will FAIL at the export step; "
              "training, inputs and `dlc predict` are still checked")
    work = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="dlc-onnx-"))
    work.mkdir(parents=True, exist_ok=True)
    keep = args.keep or args.work is not None
    print(f"check_export: dlc {dlc.path}, onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}")
    print(f"{'spec':<20} {'export s':>8} {'onnx B':>10} {'ckpt B':>10} {'max diff':>9}  result")
    results = []
    started = time.perf_counter()
    try:
        for spec in specs:
            result = check_spec(spec, work, dlc, export_available, args)
            results.append(result)
            seconds = "-" if result.export_seconds is None else f"{result.export_seconds:.2f}"
            onnx_bytes = "-" if result.onnx_bytes is None else str(result.onnx_bytes)
            ckpt_bytes = "-" if result.checkpoint_bytes is None else str(result.checkpoint_bytes)
            difference = "-" if result.max_difference is None else f"{result.max_difference:.1e}"
            print(f"{result.name:<20} {seconds:>8} {onnx_bytes:>10} {ckpt_bytes:>10} {difference:>9}  "
                  f"{'OK' if result.ok else 'FAIL'}", flush=True)
            for problem in result.problems:
                print(f"    FAIL {problem}")
            for note in result.notes:
                print(f"    note {note}")
    finally:
        if keep:
            print(f"check_export: kept the work folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    failed = [r.name for r in results if not r.ok]
    print(f"check_export: {len(results)} specs in {time.perf_counter() - started:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    print(f"check_export: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
