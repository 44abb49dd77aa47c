#!/usr/bin/env python3
"""Export the small real datasets bundled with NeuralNetworks (Sources/NeuralNetworks/Resources/*.csv).

Run once with scikit-learn installed (`pip install scikit-learn`): `python3 scripts/export-datasets.py`.
The files are plain CSV (Foundation on Linux cannot read gzip without an extra dependency); together ~0.3 MB.

Sources and licences (scikit-learn is BSD-3-Clause; it ships copies of these UCI data sets):
* digits.csv - `sklearn.datasets.load_digits`: the test part of the UCI "Optical Recognition of Handwritten Digits"
  data set (E. Alpaydin, C. Kaynak, 1998; UCI, CC BY 4.0). 1797 8x8 images, pixels 0..16, labels 0..9.
  Rows are the engine reference split (`train_test_split(test_size=0.3, random_state=0, stratify=y)`): the 1257
  training rows in that function's order (split = train), then the 540 test rows (split = test), so the
  reference batch orders (permutations of the training rows) apply unchanged.
* iris.csv - `load_iris`: R. A. Fisher (1936), UCI "Iris" (CC BY 4.0). 150 x 4 features, 3 classes.
* wine.csv - `load_wine`: M. Forina et al., UCI "Wine" (CC BY 4.0). 178 x 13 features, 3 classes.
* breast_cancer.csv - `load_breast_cancer`: W. H. Wolberg, W. N. Street, O. L. Mangasarian (1995), UCI "Breast Cancer
  Wisconsin (Diagnostic)" (CC BY 4.0). 569 x 30 features, 2 classes (0 = malignant, 1 = benign).
"""
import os

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "NeuralNetworks", "Resources")


def number(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="\n") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join(row) + "\n")


def export_digits():
    d = datasets.load_digits()
    X, y = d.data.astype(np.int64), d.target.astype(np.int64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    header = ["label", "split"] + [f"p{i}" for i in range(64)]
    rows = [[str(label), "train"] + [str(v) for v in x] for x, label in zip(Xtr, ytr)]
    rows += [[str(label), "test"] + [str(v) for v in x] for x, label in zip(Xte, yte)]
    write("digits.csv", header, rows)


def export_table(name, loader):
    d = loader()
    header = ["label"] + [f.replace(" ", "_").replace(",", "") for f in d.feature_names]
    rows = [[str(int(label))] + [number(v) for v in x] for x, label in zip(d.data, d.target)]
    write(name, header, rows)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    export_digits()
    export_table("iris.csv", datasets.load_iris)
    export_table("wine.csv", datasets.load_wine)
    export_table("breast_cancer.csv", datasets.load_breast_cancer)
    print("wrote", sorted(f for f in os.listdir(OUT) if f.endswith(".csv")))
