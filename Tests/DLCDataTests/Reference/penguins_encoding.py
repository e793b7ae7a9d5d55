"""Reference for PenguinsEncodingTests: specs/data/penguins.csv encoded by pandas + scikit-learn
as `specs/penguins.yaml` asks dlc to (fitted on every row here): numbers' missing cells filled
with the mean (SimpleImputer), then standardized with the population deviation
(StandardScaler); `island` and `sex` one-hot over their sorted values, a missing `sex` a value of
its own (OneHotEncoder); in dlc's column order.

Run: python penguins_encoding.py > penguins_encoding.json
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
frame = pd.read_csv(os.path.join(here, "../../../specs/data/penguins.csv"))
numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
filled = SimpleImputer(strategy="mean").fit_transform(frame[numbers])
scaled = StandardScaler().fit_transform(filled)
categories = frame[["island", "sex"]].astype(object).where(frame[["island", "sex"]].notna(), "~missing")
encoder = OneHotEncoder(sparse_output=False).fit(categories)
onehot = encoder.transform(categories)
island, sex = onehot[:, :3], onehot[:, 3:]
# dlc's order: island, the four measurements, sex, year; `~missing` sorts after the values.
features = np.hstack([island, scaled[:, :4], sex, scaled[:, 4:]])
print(json.dumps({"sklearn": sklearn.__version__, "pandas": pd.__version__,
                  "categories": [list(map(str, c)) for c in encoder.categories_],
                  "species": frame["species"].tolist(), "features": np.round(features, 7).flatten().tolist()}))
