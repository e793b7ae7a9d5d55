#!/usr/bin/env python3
"""Assembles each harness's seed corpus and dictionary under Fuzz/build from files already in
the repository: the specs, the golden specs and their data, the data tests' fixtures, the
checkpoints in Fuzz/Seeds, and the JSON Schema's keywords (so the spec dictionary stays current).
Usage: Fuzz/make_seeds.py (from anywhere)."""
import csv
import glob
import gzip
import io
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "Fuzz", "build")
MAX_LEN = 4096  # the -max_len the harnesses run with


def path(*parts):
    return os.path.join(ROOT, *parts)


def reset(folder):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def put(folder, name, data):
    with open(os.path.join(folder, name), "wb") as file:
        file.write(data[:MAX_LEN])


def fixtures():
    """The small data files the seeds are made from (the spec target copies the same files)."""
    folder = reset(os.path.join(BUILD, "fixtures"))
    for source in glob.glob(path("Tests", "DLCCheckTests", "Golden", "data", "*")) + \
            glob.glob(path("Tests", "DLCDataTests", "Fixtures", "*")):
        shutil.copy(source, folder)
    for name in ["iris.csv", "penguins.csv"]:
        shutil.copy(path("specs", "data", name), folder)


def spec_seeds():
    folder = reset(os.path.join(BUILD, "seeds", "spec"))
    sources = glob.glob(path("specs", "*.yaml")) + glob.glob(path("Tests", "DLCCheckTests", "Golden", "bad", "*.yaml"))
    for source in sources:
        with open(source, "rb") as file:
            put(folder, os.path.basename(os.path.dirname(source)) + "-" + os.path.basename(source), file.read())


def schema_words():
    with open(path("grammar", "dlc-spec.schema.json")) as file:
        schema = json.load(file)
    words = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    words.update(value.keys())
                if key == "enum":
                    words.update(str(item) for item in value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return sorted(words)


def dictionary(name, entries):
    def quote(entry):
        data = entry.encode() if isinstance(entry, str) else entry
        return '"' + "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02x" % b for b in data) + '"'
    with open(os.path.join(BUILD, name + ".dict"), "w") as file:
        for entry in entries:
            file.write(quote(entry) + "\n")


def renamed_csv(text):
    """The CSV with its columns renamed for the CSV harness: the last `y`, the first text column
    `c`, the second `k`, the first number column `n`."""
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return text
    header, body = rows[0], rows[1:60]
    def is_number(value):
        try:
            float(value)
            return True
        except ValueError:
            return value == ""
    kinds = ["number" if all(is_number(row[i]) for row in body if i < len(row)) else "text" for i in range(len(header))]
    names = list(header)
    names[-1] = "y"
    texts = [i for i in range(len(header) - 1) if kinds[i] == "text"]
    numbers = [i for i in range(len(header) - 1) if kinds[i] == "number"]
    for index, name in zip(texts, ["c", "k"]):
        names[index] = name
    if numbers:
        names[numbers[0]] = "n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(body)
    return out.getvalue()


def csv_seeds():
    folder = reset(os.path.join(BUILD, "seeds", "csv"))
    sources = glob.glob(os.path.join(BUILD, "fixtures", "*.csv"))
    handmade = [
        "y,c,k,n,x\n1,a,p,1.5,2\n0,b,q,,3\n1,\"a,b\",p,NA,4\n0,\"multi\nline\",q,2e3,5\n",
        "\ufeffy,n\r\n1,2\r\n2,\r\n",
        "y,z,c,n\n0.5,1,red,1\n1.5,2,blue,2\n,3,red,?\n",
    ]
    for index, text in enumerate(handmade):
        for rules in [0x00, 0x2E, 0x95]:
            put(folder, "handmade-%d-%02x.csv" % (index, rules), bytes([rules]) + text.encode())
    for source in sources:
        with open(source, encoding="utf-8", errors="replace") as file:
            text = renamed_csv(file.read())
        for rules in [0x00, 0x3E, 0x7B]:
            put(folder, "%s-%02x" % (os.path.basename(source), rules), bytes([rules]) + text.encode())


def idx_seeds():
    folder = reset(os.path.join(BUILD, "seeds", "idx"))
    for source in glob.glob(os.path.join(BUILD, "fixtures", "*ubyte*")):
        with open(source, "rb") as file:
            data = file.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        role = 1 if "labels" in source else 0
        for gz in [0, 2]:
            put(folder, "%s-%d" % (os.path.basename(source), role | gz), bytes([role | gz]) + data[:MAX_LEN - 1])


def gzip_seeds():
    folder = reset(os.path.join(BUILD, "seeds", "gzip"))
    for source in glob.glob(os.path.join(BUILD, "fixtures", "*.gz")):
        with open(source, "rb") as file:
            put(folder, os.path.basename(source), file.read())
    put(folder, "text.gz", gzip.compress(b"hello, gzip\n" * 20, mtime=0))
    put(folder, "two-members.gz", gzip.compress(b"first", mtime=0) + gzip.compress(b"second", mtime=0))
    put(folder, "zeros.gz", gzip.compress(bytes(200_000), mtime=0))


def safetensors_seeds():
    folder = reset(os.path.join(BUILD, "seeds", "safetensors"))
    for source in glob.glob(path("Fuzz", "Seeds", "safetensors", "*")):
        with open(source, "rb") as file:
            put(folder, os.path.basename(source), file.read())
    header = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                         "__metadata__": {"format": "dlc-1"}}).encode()
    put(folder, "small.safetensors", len(header).to_bytes(8, "little") + header + bytes(8))


def main():
    os.makedirs(BUILD, exist_ok=True)
    fixtures()
    spec_seeds()
    csv_seeds()
    idx_seeds()
    gzip_seeds()
    safetensors_seeds()
    yaml = [": ", "- ", "{", "}", "[", "]", ", ", "&a ", "*a", "<<: ", "!!str ", "!!int ", "---\n", "...\n", "|\n", ">\n",
            "'", '"', "# ", "\n  ", "null", "~", "true", "1e400", "-1", "0x10", ".inf", ".nan", "1_000", "data/iris.csv",
            "../data/penguins.csv", "data/digits-images.idx3-ubyte", "data/digits-labels.idx1-ubyte", "species", "target"]
    dictionary("spec", schema_words() + yaml)
    dictionary("csv", [",", '"', '""', "\r\n", "\n", "y", "z", "c", "k", "n", "x", "NA", "N/A", "?", "-", "1e308", "-1e-320",
                       "nan", "inf", "-0", "0x1p3", "\ufeff", "\u00e9", "\xff"])
    dictionary("idx", [b"\x00\x00\x08\x03", b"\x00\x00\x08\x01", b"\x00\x00\x0d\x03", b"\x1f\x8b\x08\x00",
                       b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"])
    dictionary("gzip", [b"\x1f\x8b\x08\x00", b"\x1f\x8b\x08\x08", b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x03\x00"])
    dictionary("safetensors", ['"dtype"', '"shape"', '"data_offsets"', '"__metadata__"', '"F32"', '"F16"', '"I64"',
                               '"encoding"', '"columns"', "[]", "{}", "[0, 0]", "1e999", '"\\u0000"', '"\\ud800"'])


if __name__ == "__main__":
    main()
