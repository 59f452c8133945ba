"""The predictive models fitted with scikit-learn on the person snapshots, as parameters: one
row per model x parameter x feature x cluster. SQL applies them (fct_person_scores), so
scores run on every engine; the fit is a dbt Python model, so it runs on DuckDB.

- churn and upsell: standard scaling and a logistic regression, calibrated by Platt scaling
  on 5-fold cross-validated scores (CalibratedClassifierCV, method sigmoid, one classifier
  fit on every training row: ensemble=False, so one linear score and one sigmoid describe
  it). Fit on model_sample 'training' (earlier snapshots, persons outside the holdout).
  The scaling is folded into the coefficients: score = intercept + sum(coefficient x
  model_input), probability = 1 / (1 + exp(platt_slope x score + platt_intercept)).
- segments: standard scaling and K-means on the segment inputs of the latest snapshot
  (model_sample 'scoring'), k in [cluster_count_min, cluster_count_max] chosen by the
  silhouette score (on a sample of SILHOUETTE_SAMPLE_ROWS persons); clusters numbered from
  the most active (largest sum of standardized centroid values) down. A person's segment is
  the nearest centroid in standardized units.

The fit reads only the rows it fits on: the training and the scoring snapshots, at most
var prediction_fit_max_rows of each, chosen by a hash of the row (at 100M events the model
inputs of every person snapshot are hundreds of millions of values, more than memory holds).

A model with too few training rows, or with one class only, is left out (no rows), and its
scores are null. The fit runs on one thread: OpenMP's threads spin while they wait, and
beside dbt's own threads on a busy machine K-means took 40 times longer with them (17.8 s
against 0.4 s for the seven values of k on 6,700 rows of four features); one thread also
gives the same result whatever the machine.
"""

import hashlib
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import silhouette_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

CALIBRATION_FOLDS = 5
SILHOUETTE_SAMPLE_ROWS = 10_000  # silhouette is quadratic in rows: scored on a sample
KMEANS_RUNS = 10  # initializations per k; the best inertia is kept
MAX_ITERATIONS = 1_000
SCHEMA = pa.schema([
    ("model_name", pa.string()),
    ("model_version", pa.string()),
    ("trained_on_snapshot_date", pa.date32()),
    ("parameter_name", pa.string()),
    ("feature_name", pa.string()),
    ("cluster_number", pa.int32()),
    ("parameter_value", pa.float64()),
])


def feature_matrix(values, labels):
    """The model inputs as a dense matrix: rows in person_feature_id order, columns in
    feature name order (a one-hot term absent from a row is 0), with the labels' columns in
    the same row order. Arrow's hash lookups place each value (millions of rows: no Python
    objects per row)."""
    labels = labels.sort_by("person_feature_id")
    names = pa.array(sorted(pc.unique(values["feature_name"]).to_pylist()))
    rows = pc.index_in(values["person_feature_id"], value_set=labels["person_feature_id"]).to_numpy()
    columns = pc.index_in(values["feature_name"], value_set=names).to_numpy()
    matrix = np.zeros((labels.num_rows, len(names)))
    matrix[rows, columns] = values["model_input"].to_numpy()
    segment_inputs = set(pc.unique(values.filter(values["is_segment_input"])["feature_name"]).to_pylist())
    columns_of_labels = {name: labels[name].to_numpy(zero_copy_only=False) for name in labels.column_names}
    return matrix, names.to_pylist(), segment_inputs, columns_of_labels


def version(model_name, rows):
    """The model's name and a hash of its parameters: a refit that changes one changes it."""
    digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return f"{model_name}-{digest[:12]}"


def classifier_rows(model_name, matrix, names, labels, label, seed):
    training = labels["model_sample"] == "training"
    y = labels[label][training].astype(bool)
    if min(y.sum(), (~y).sum()) < CALIBRATION_FOLDS:  # each fold needs both classes
        return []
    x = matrix[training]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=MAX_ITERATIONS))
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    calibrated = CalibratedClassifierCV(pipeline, method="sigmoid", cv=folds, ensemble=False).fit(x, y)
    fitted = calibrated.calibrated_classifiers_[0]
    scaler, regression = fitted.estimator.steps[0][1], fitted.estimator.steps[1][1]
    coefficients = regression.coef_[0] / scaler.scale_
    intercept = regression.intercept_[0] - float(np.dot(coefficients, scaler.mean_))
    sigmoid = fitted.calibrators[0]
    parameters = [("intercept", None, None, float(intercept))]
    parameters += [("coefficient", name, None, float(c)) for name, c in zip(names, coefficients, strict=True)]
    parameters += [
        ("platt_slope", None, None, float(sigmoid.a_)),
        ("platt_intercept", None, None, float(sigmoid.b_)),
        ("training_rows", None, None, float(training.sum())),
        ("training_positive_share", None, None, float(y.mean())),
    ]
    trained_on = labels["snapshot_date"][training].max().item()  # a datetime.date
    return with_version(model_name, trained_on, parameters)


def segment_rows(matrix, names, segment_inputs, labels, k_min, k_max, seed):
    scoring = labels["model_sample"] == "scoring"
    columns = [i for i, name in enumerate(names) if name in segment_inputs]
    x = matrix[scoring][:, columns]
    if len(x) <= k_max:
        return []
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    sample = np.random.default_rng(seed).permutation(len(z))[:SILHOUETTE_SAMPLE_ROWS]
    fits = {}
    for k in range(k_min, k_max + 1):
        kmeans = KMeans(k, n_init=KMEANS_RUNS, random_state=seed, max_iter=MAX_ITERATIONS).fit(z)
        fits[k] = (kmeans, float(silhouette_score(z[sample], kmeans.labels_[sample])))
    best = max(fits, key=lambda k: fits[k][1])
    centroids = fits[best][0].cluster_centers_
    # segment 1 is the most active: clusters by the sum of their standardized centroid, descending
    numbering = np.argsort(-centroids.sum(axis=1), kind="stable")
    segment_names = [names[i] for i in columns]
    parameters = [("cluster_count", None, None, float(best)), ("silhouette", None, None, fits[best][1])]
    parameters += [("candidate_silhouette", None, k, score) for k, (_, score) in fits.items()]
    parameters += [("training_rows", None, None, float(len(x)))]
    for j, name in enumerate(segment_names):
        parameters += [("feature_mean", name, None, float(scaler.mean_[j])),
                       ("feature_scale", name, None, float(scaler.scale_[j]))]
    for number, cluster in enumerate(numbering, start=1):
        parameters += [
            ("centroid", name, number, float(centroids[cluster, j])) for j, name in enumerate(segment_names)
        ]
    trained_on = labels["snapshot_date"][scoring].max().item()  # a datetime.date
    return with_version("segments", trained_on, parameters)


def with_version(model_name, trained_on, parameters):
    model_version = version(model_name, parameters)
    return [(model_name, model_version, trained_on, *parameter) for parameter in parameters]


def model(dbt, session):
    dbt.config(materialized="table")
    seed = int(dbt.config.get("random_seed"))
    # the rows fit on, at most fit_max_rows of each sample, chosen by a hash of the row
    labels = (
        dbt.ref("fct_person_features")
        .filter("model_sample in ('training', 'scoring')")
        .project(
            "person_feature_id, snapshot_date, model_sample, is_churned, is_upsold,"
            " row_number() over (partition by model_sample order by md5(person_feature_id)) as fit_rank"
        )
        .filter(f"fit_rank <= {int(dbt.config.get('fit_max_rows'))}")
        .project("person_feature_id, snapshot_date, model_sample, is_churned, is_upsold")
        .to_arrow_table()
    )
    # their inputs, joined to the rows read (the relation would rank every snapshot again)
    chosen = session.from_arrow(labels.select(["person_feature_id"]))
    values = (
        dbt.ref("int_person_feature_values")
        .join(chosen, "person_feature_id")
        .project("person_feature_id, feature_name, is_segment_input, model_input")
        .to_arrow_table()
    )
    matrix, names, segment_inputs, labels = feature_matrix(values, labels)
    with threadpool_limits(limits=1):
        rows = (
            classifier_rows("churn", matrix, names, labels, "is_churned", seed)
            + classifier_rows("upsell", matrix, names, labels, "is_upsold", seed)
            + segment_rows(
                matrix, names, segment_inputs, labels,
                int(dbt.config.get("cluster_count_min")), int(dbt.config.get("cluster_count_max")), seed,
            )
        )
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, row, strict=True)) for row in rows], schema=SCHEMA)
