"""LightGBM on the KCS customs declaration files, for a side-by-side comparison with
`smartcustoms risk evaluate`. Prints one JSON line with the same measures.

    python3 bench/lightgbm_kcs.py --train TRAIN.csv [--valid VALID.csv] --test TEST.csv

With --valid, the valid rows only stop the trees early (50 rounds without a lower log loss),
as `risk evaluate --valid` does.

Needs `lightgbm`, `numpy` and `pandas` from PyPI (see bench/compare-kcs.sh, which installs
them in a virtual environment). Features: net mass, item price, price per kg and the HS code,
the set with which plain gradient boosting does best on these files.
"""

import argparse
import json
import time

import lightgbm as lgb
import numpy as np
import pandas as pd


def features(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["net_mass"] = df["Net Mass"].astype(float)
    out["price"] = df["Item Price"].astype(float)
    out["price_per_kg"] = np.where(out["net_mass"] > 0, out["price"] / out["net_mass"].replace(0, np.nan), np.nan)
    out["hs6"] = pd.to_numeric(df["HS6 Code"], errors="coerce")
    return out


def label(df: pd.DataFrame) -> np.ndarray:
    return ((df["Fraud"] != 0) | (df["Critical Fraud"] != 0)).astype(int).to_numpy()


def at(scores: np.ndarray, labels: np.ndarray, percent: int) -> tuple[float, float]:
    order = np.argsort(-scores, kind="stable")
    n = max(1, -(-len(scores) * percent // 100))
    hits = labels[order[:n]].sum()
    return hits / n, hits / max(1, labels.sum())


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    pos = labels.sum()
    neg = len(labels) - pos
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--valid")
    args = parser.parse_args()
    train, test = pd.read_csv(args.train), pd.read_csv(args.test)
    valid = pd.read_csv(args.valid) if args.valid else None
    started = time.perf_counter()
    # The booster API: LightGBM 4.7's scikit-learn classes need scikit-learn as well.
    params = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 63, "verbose": -1}
    data = lgb.Dataset(features(train), label(train))
    if valid is None:
        model = lgb.train(params, data, num_boost_round=300)
    else:
        model = lgb.train(
            params,
            data,
            num_boost_round=300,
            valid_sets=[lgb.Dataset(features(valid), label(valid), reference=data)],
            callbacks=[lgb.early_stopping(50, verbose=False)],
        )
    train_seconds = time.perf_counter() - started
    # As `risk evaluate` does: a first pass gives the scores, the speed is the median of five
    # timed passes after it (features and prediction each time).
    scores = model.predict(features(test), num_iteration=model.best_iteration or None)
    passes = []
    for _ in range(5):
        started = time.perf_counter()
        model.predict(features(test), num_iteration=model.best_iteration or None)
        passes.append(time.perf_counter() - started)
    score_seconds = sorted(passes)[2]
    y = label(test)
    p5, r5 = at(scores, y, 5)
    p10, r10 = at(scores, y, 10)
    report = {
        "model": "lightgbm " + lgb.__version__,
        "train_rows": len(train),
    }
    if valid is not None:
        report["valid_rows"] = len(valid)
    report.update({
        "test_rows": len(test),
        "base_rate": round(float(y.mean()), 4),
        "precision_at_5": round(float(p5), 4),
        "precision_at_10": round(float(p10), 4),
        "recall_at_5": round(float(r5), 4),
        "recall_at_10": round(float(r10), 4),
        "auc": round(auc(scores, y), 4),
        "precision_curve": [round(float(at(scores, y, n)[0]), 4) for n in range(1, 21)],
        "trees": model.best_iteration or model.num_trees(),
        "train_seconds": round(train_seconds, 3),
        "score_rows_per_second": round(len(test) / score_seconds),
    })
    print(json.dumps(report))


if __name__ == "__main__":
    main()
