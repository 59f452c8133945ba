{#- The quality of each predictive model, one row per metric, where users see it. The
    classifiers on their held-out rows (int_model_evaluation_scores: a later snapshot than
    any they were trained on, persons they never saw): AUC beside a recency-only baseline,
    Brier score beside that of always predicting the training share, the expected
    calibration error over deciles and the lift of the top decile. The segments: the
    silhouette that chose k, k, and the rows they were fit on. -#}
with

scores as (
    select * from {{ ref('int_model_evaluation_scores') }}
),

parameters as (
    select * from {{ ref('dim_predictive_model_parameters') }}
),

calibration as (
    select * from {{ ref('rpt_model_calibration') }}
),

model_auc as (
    {{ roc_auc('scores', 'model_name', 'probability', 'is_positive') | indent(4) }}
),

baseline_auc as (
    {{ roc_auc('scores', 'model_name', 'baseline_score', 'is_positive') | indent(4) }}
),

training_shares as (
    select
        model_name,
        parameter_value as training_positive_share
    from parameters
    where parameter_name = 'training_positive_share'
),

classifier_sums as (
    select
        scores.model_name,
        scores.model_version,
        scores.snapshot_date,
        count(*) as n_rows,
        {{ exact_avg('case when scores.is_positive then 1 else 0 end') }} as positive_share,
        {{ exact_avg(
            '(scores.probability - case when scores.is_positive then 1 else 0 end)'
            ~ ' * (scores.probability - case when scores.is_positive then 1 else 0 end)'
        ) }} as brier_score,
        {{ exact_avg(
            '(training_shares.training_positive_share - case when scores.is_positive then 1 else 0 end)'
            ~ ' * (training_shares.training_positive_share - case when scores.is_positive then 1 else 0 end)'
        ) }} as base_rate_brier_score
    from scores
    inner join training_shares
        on scores.model_name = training_shares.model_name
    group by
        scores.model_name,
        scores.model_version,
        scores.snapshot_date
),

calibration_sums as (
    select
        model_name,
        {{ exact_sum('n_rows * abs(calibration_error)') }}
        / sum(n_rows) as expected_calibration_error,
        max(case when probability_decile = 10 then lift end) as top_decile_lift
    from calibration
    group by model_name
),

classifier_metrics as (
    {%- set metrics = [
        ('auc', 'model_auc.auc'),
        ('baseline_auc', 'baseline_auc.auc'),
        ('brier_score', 'classifier_sums.brier_score'),
        ('base_rate_brier_score', 'classifier_sums.base_rate_brier_score'),
        ('expected_calibration_error', 'calibration_sums.expected_calibration_error'),
        ('top_decile_lift', 'calibration_sums.top_decile_lift'),
        ('positive_share', 'classifier_sums.positive_share'),
    ] %}
    {%- for metric_name, expression in metrics %}
        select
            classifier_sums.model_name,
            classifier_sums.model_version,
            classifier_sums.snapshot_date,
            '{{ metric_name }}' as metric_name,
            cast({{ expression }} as {{ type_double() }}) as metric_value,
            classifier_sums.n_rows
        from classifier_sums
        inner join model_auc
            on classifier_sums.model_name = model_auc.model_name
        inner join baseline_auc
            on classifier_sums.model_name = baseline_auc.model_name
        inner join calibration_sums
            on classifier_sums.model_name = calibration_sums.model_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

segment_metrics as (
    select
        model_name,
        model_version,
        trained_on_snapshot_date as snapshot_date,
        parameter_name as metric_name,
        parameter_value as metric_value,
        cast(null as {{ dbt.type_bigint() }}) as n_rows
    from parameters
    where
        model_name = 'segments'
        and parameter_name in ('silhouette', 'cluster_count', 'training_rows')
),

metrics as (
    select * from classifier_metrics
    union all
    select * from segment_metrics
),

final as (
    select
        {{ surrogate_key(['model_name', 'metric_name']) }} as model_metric_id,
        model_name,
        model_version,
        snapshot_date,
        metric_name,
        metric_value,
        n_rows
    from metrics
)

select * from final
